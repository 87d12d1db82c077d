package io.echodb.adapters.clickhouse;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer with ClickHouse RowBinary primitives: little-endian fixed-width integers, LEB128 lengths,
 * length-prefixed strings. Not thread-safe; one per batch.
 */
final class RowBinaryOutput {

    private byte[] buf;
    private int size;

    RowBinaryOutput(int initialCapacity) {
        buf = new byte[Math.max(64, initialCapacity)];
    }

    int size() {
        return size;
    }

    void reset() {
        size = 0;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    void writeTo(OutputStream out) throws IOException {
        out.write(buf, 0, size);
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            long wanted = Math.max((long) buf.length * 2, (long) size + extra);
            if (wanted > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("RowBinary batch larger than 2 GiB; write smaller batches");
            }
            buf = Arrays.copyOf(buf, (int) wanted);
        }
    }

    void writeByte(int b) {
        ensure(1);
        buf[size++] = (byte) b;
    }

    void writeShort(int v) {
        ensure(2);
        buf[size++] = (byte) v;
        buf[size++] = (byte) (v >>> 8);
    }

    void writeInt(int v) {
        ensure(4);
        buf[size++] = (byte) v;
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 24);
    }

    void writeLong(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[size++] = (byte) (v >>> (8 * i));
        }
    }

    void writeFloat(float v) {
        writeInt(Float.floatToRawIntBits(v));
    }

    void writeDouble(double v) {
        writeLong(Double.doubleToRawLongBits(v));
    }

    /** Two's complement of {@code v} in {@code width} little-endian bytes (sign-extended); unsigned when it needs all bits. */
    void writeBigInteger(BigInteger v, int width) {
        byte[] be = v.toByteArray(); // big-endian, minimal, sign bit included
        if (be.length == width + 1 && be[0] == 0) {
            be = Arrays.copyOfRange(be, 1, be.length); // an unsigned value using the top bit
        }
        if (be.length > width) {
            throw new IllegalArgumentException("integer " + v + " does not fit in " + width + " bytes");
        }
        ensure(width);
        byte pad = (byte) (v.signum() < 0 ? 0xff : 0);
        for (int i = 0; i < width; i++) {
            int src = be.length - 1 - i;
            buf[size++] = src >= 0 ? be[src] : pad;
        }
    }

    /** UInt128 as two little-endian 64-bit halves, the low half first. */
    void writeUInt128(long high, long low) {
        writeLong(low);
        writeLong(high);
    }

    /** Unsigned LEB128, as RowBinary uses for string lengths and array sizes. */
    void writeVarUInt(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
    }

    void writeBytes(byte[] bytes) {
        writeVarUInt(bytes.length);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
    }

    /** Appends bytes as they are (no length prefix). */
    void writeRaw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
    }

    void writeString(String s) {
        // String.getBytes is an intrinsic for compact (Latin-1) strings: faster than copying char by char (JFR showed it).
        writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Hex digits of the buffer, for SQL {@code unhex('...')}. */
    String toHex() {
        char[] digits = "0123456789ABCDEF".toCharArray();
        StringBuilder sb = new StringBuilder(size * 2);
        for (int i = 0; i < size; i++) {
            sb.append(digits[(buf[i] >> 4) & 0xF]).append(digits[buf[i] & 0xF]);
        }
        return sb.toString();
    }
}
