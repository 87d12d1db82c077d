package io.echodb.adapters.clickhouse;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** Reads RowBinary primitives from a stream (buffered here; the stream is read in large chunks). */
final class RowBinaryInput {

    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;

    RowBinaryInput(InputStream in) {
        this.in = in;
    }

    /** True when the stream has no more bytes (checked between rows). */
    boolean atEnd() throws IOException {
        return !fill(1);
    }

    private boolean fill(int needed) throws IOException {
        if (limit - pos >= needed) {
            return true;
        }
        System.arraycopy(buf, pos, buf, 0, limit - pos);
        limit -= pos;
        pos = 0;
        while (limit < needed) {
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                return false;
            }
            limit += n;
        }
        return true;
    }

    private void require(int n) throws IOException {
        if (!fill(n)) {
            throw new EOFException("RowBinary data ended in the middle of a value");
        }
    }

    int readUnsignedByte() throws IOException {
        require(1);
        return buf[pos++] & 0xFF;
    }

    short readShort() throws IOException {
        require(2);
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8;
        pos += 2;
        return (short) v;
    }

    int readInt() throws IOException {
        require(4);
        int v = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return v;
    }

    long readLong() throws IOException {
        require(8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (buf[pos + i] & 0xFF);
        }
        pos += 8;
        return v;
    }

    /** {@code width} little-endian bytes as a signed (two's complement) or unsigned integer. */
    BigInteger readBigInteger(int width, boolean signed) throws IOException {
        byte[] be = new byte[width + 1];
        for (int i = 0; i < width; i++) {
            be[width - i] = (byte) readUnsignedByte();
        }
        if (signed) {
            be[0] = (byte) ((be[1] & 0x80) != 0 ? 0xFF : 0);
        }
        return new BigInteger(be);
    }

    long readVarUInt() throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("malformed LEB128 length in RowBinary data");
    }

    byte[] readBytes() throws IOException {
        long n = readVarUInt();
        if (n > Integer.MAX_VALUE - 16) {
            throw new IOException("RowBinary string of " + n + " bytes is too large");
        }
        byte[] out = new byte[(int) n];
        int done = 0;
        while (done < out.length) {
            if (pos == limit && !fill(1)) {
                throw new EOFException("RowBinary data ended in the middle of a string");
            }
            int chunk = Math.min(limit - pos, out.length - done);
            System.arraycopy(buf, pos, out, done, chunk);
            pos += chunk;
            done += chunk;
        }
        return out;
    }

    String readString() throws IOException {
        return new String(readBytes(), StandardCharsets.UTF_8);
    }
}
