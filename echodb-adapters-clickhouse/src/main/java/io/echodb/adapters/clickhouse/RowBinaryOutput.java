package io.echodb.adapters.clickhouse;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer with ClickHouse RowBinary primitives: little-endian fixed-width integers, LEB128 lengths,
 * length-prefixed strings. It grows in pages of at most {@link #PAGE_BYTES}, never by copying into one larger array: a
 * batch of tens of megabytes then neither copies itself on every doubling nor allocates arrays above half a G1 region,
 * which the JVM places in the old generation directly and which started a concurrent GC cycle per batch (JFR of the
 * copy). Not thread-safe; one per batch.
 */
final class RowBinaryOutput {

    /** The largest page: far below half of G1's smallest region (1 MiB), so no page is a humongous object. */
    static final int PAGE_BYTES = 256 * 1024;

    /** Pages filled before {@link #buf}, and how many bytes of each are used. */
    private final java.util.List<byte[]> full = new java.util.ArrayList<>();
    private final java.util.List<Integer> fullUsed = new java.util.ArrayList<>();
    private long fullBytes;
    private byte[] buf;
    private int size;

    RowBinaryOutput(int initialCapacity) {
        buf = new byte[Math.max(64, Math.min(initialCapacity, PAGE_BYTES))];
    }

    int size() {
        long total = fullBytes + size;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("RowBinary batch larger than 2 GiB; write smaller batches");
        }
        return (int) total;
    }

    void reset() {
        full.clear();
        fullUsed.clear();
        fullBytes = 0;
        size = 0;
    }

    byte[] toByteArray() {
        byte[] out = new byte[size()];
        int at = 0;
        for (int i = 0; i < full.size(); i++) {
            System.arraycopy(full.get(i), 0, out, at, fullUsed.get(i));
            at += fullUsed.get(i);
        }
        System.arraycopy(buf, 0, out, at, size);
        return out;
    }

    void writeTo(OutputStream out) throws IOException {
        for (int i = 0; i < full.size(); i++) {
            out.write(full.get(i), 0, fullUsed.get(i));
        }
        out.write(buf, 0, size);
    }

    /** Makes room for {@code extra} contiguous bytes (at most {@link #PAGE_BYTES}) in the current page. */
    private void ensure(int extra) {
        if (size + extra <= buf.length) {
            return;
        }
        if (buf.length < PAGE_BYTES && size + extra <= PAGE_BYTES) {
            buf = Arrays.copyOf(buf, Math.min(PAGE_BYTES, Math.max(buf.length * 2, size + extra)));
            return;
        }
        size(); // refuses a batch beyond 2 GiB
        full.add(buf);
        fullUsed.add(size);
        fullBytes += size;
        buf = new byte[Math.max(PAGE_BYTES, extra)];
        size = 0;
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
        writeRaw(bytes);
    }

    /** Appends bytes as they are (no length prefix), across pages when they do not fit the current one. */
    void writeRaw(byte[] bytes) {
        int from = 0;
        while (from < bytes.length) {
            if (size == buf.length) {
                ensure(Math.min(bytes.length - from, PAGE_BYTES));
            }
            int n = Math.min(bytes.length - from, buf.length - size);
            System.arraycopy(bytes, from, buf, size, n);
            size += n;
            from += n;
        }
    }

    void writeString(String s) {
        // String.getBytes is an intrinsic for compact (Latin-1) strings: faster than copying char by char (JFR showed it).
        writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Hex digits of the buffer, for SQL {@code unhex('...')}. */
    String toHex() {
        char[] digits = "0123456789ABCDEF".toCharArray();
        byte[] all = toByteArray();
        StringBuilder sb = new StringBuilder(all.length * 2);
        for (byte b : all) {
            sb.append(digits[(b >> 4) & 0xF]).append(digits[b & 0xF]);
        }
        return sb.toString();
    }
}
