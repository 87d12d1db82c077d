package io.echodb.adapters.postgres.snapshot;

import io.echodb.adapters.postgres.decode.PgValueFormatException;
import io.echodb.adapters.postgres.decode.TextDecoder;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Parses COPY ... TO STDOUT text format: one row per line, columns separated by tabs, {@code \N} for NULL and
 * backslash escapes ({@code \b \f \n \r \t \v \\}, octal {@code \NNN}, hex {@code \xHH}, any other escaped character
 * stands for itself). Each unescaped field is decoded by the column's {@link TextDecoder}, the same decoders the
 * stream uses, so both paths produce identical values. Lines may span CopyData chunks. Not thread-safe: one per
 * worker.
 */
public final class CopyTextParser {

    private final TextDecoder[] decoders;
    private final String[] names;
    private byte[] scratch = new byte[256];
    private byte[] pending = new byte[0];
    private int pendingLength;

    public CopyTextParser(TextDecoder[] decoders, String[] names) {
        if (decoders.length != names.length) {
            throw new IllegalArgumentException("one name per decoder");
        }
        this.decoders = decoders.clone();
        this.names = names.clone();
    }

    /** Consumes one chunk of COPY output; every complete line becomes a row handed to {@code rows}. */
    public void feed(byte[] chunk, Consumer<Object[]> rows) {
        int start = 0;
        int len = chunk.length;
        if (pendingLength > 0) {
            int nl = indexOf(chunk, 0, len);
            if (nl < 0) {
                append(chunk, 0, len);
                return;
            }
            append(chunk, 0, nl);
            rows.accept(parseLine(pending, 0, pendingLength));
            pendingLength = 0;
            start = nl + 1;
        }
        while (start < len) {
            int nl = indexOf(chunk, start, len);
            if (nl < 0) {
                append(chunk, start, len);
                return;
            }
            rows.accept(parseLine(chunk, start, nl));
            start = nl + 1;
        }
    }

    /** Fails when the output ended in the middle of a line. */
    public void finish() {
        if (pendingLength > 0) {
            throw new IllegalStateException("COPY output ended inside a row (" + pendingLength + " bytes pending)");
        }
    }

    /** Parses one line (without its newline) into column values. */
    public Object[] parseLine(byte[] b, int off, int end) {
        int n = decoders.length;
        Object[] out = new Object[n];
        if (n == 0) {
            return out;
        }
        int col = 0;
        int p = off;
        while (true) {
            int s = p;
            boolean escaped = false;
            while (p < end && b[p] != '\t') {
                if (b[p] == '\\') {
                    escaped = true;
                    p++;
                }
                p++;
            }
            if (p > end) {
                p = end;
            }
            if (col >= n) {
                throw new IllegalStateException("COPY row has more than " + n + " columns");
            }
            int len = p - s;
            try {
                if (len == 2 && b[s] == '\\' && b[s + 1] == 'N') {
                    out[col] = null;
                } else if (escaped) {
                    int ul = unescape(b, s, p);
                    out[col] = decoders[col].decode(scratch, 0, ul);
                } else {
                    out[col] = decoders[col].decode(b, s, len);
                }
            } catch (PgValueFormatException e) {
                throw PgValueFormatException.in("column " + names[col], e);
            }
            col++;
            if (p >= end) {
                break;
            }
            p++;
        }
        if (col != n) {
            throw new IllegalStateException("COPY row has " + col + " columns, expected " + n);
        }
        return out;
    }

    private int unescape(byte[] b, int s, int e) {
        if (scratch.length < e - s) {
            scratch = new byte[Math.max(e - s, scratch.length * 2)];
        }
        byte[] out = scratch;
        int n = 0;
        for (int i = s; i < e; i++) {
            byte c = b[i];
            if (c != '\\' || i + 1 >= e) {
                out[n++] = c;
                continue;
            }
            byte x = b[++i];
            switch (x) {
                case 'b' -> out[n++] = '\b';
                case 'f' -> out[n++] = '\f';
                case 'n' -> out[n++] = '\n';
                case 'r' -> out[n++] = '\r';
                case 't' -> out[n++] = '\t';
                case 'v' -> out[n++] = 0x0b;
                case 'x' -> {
                    int v = 0;
                    int digits = 0;
                    while (digits < 2 && i + 1 < e && hex(b[i + 1]) >= 0) {
                        v = v * 16 + hex(b[++i]);
                        digits++;
                    }
                    out[n++] = digits == 0 ? (byte) 'x' : (byte) v;
                }
                default -> {
                    if (x >= '0' && x <= '7') {
                        int v = x - '0';
                        int digits = 1;
                        while (digits < 3 && i + 1 < e && b[i + 1] >= '0' && b[i + 1] <= '7') {
                            v = v * 8 + (b[++i] - '0');
                            digits++;
                        }
                        out[n++] = (byte) v;
                    } else {
                        out[n++] = x;
                    }
                }
            }
        }
        return n;
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static int indexOf(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void append(byte[] b, int from, int to) {
        int len = to - from;
        if (pending.length < pendingLength + len) {
            pending = Arrays.copyOf(pending, Math.max(pendingLength + len, pending.length * 2 + 64));
        }
        System.arraycopy(b, from, pending, pendingLength, len);
        pendingLength += len;
    }
}
