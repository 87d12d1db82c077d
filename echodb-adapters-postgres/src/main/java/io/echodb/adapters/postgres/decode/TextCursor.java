package io.echodb.adapters.postgres.decode;

/** A forward-only reader over ASCII text in a byte range; small helper for the hand-written value parsers. */
final class TextCursor {

    final byte[] b;
    int p;
    final int end;

    TextCursor(byte[] b, int off, int len) {
        this.b = b;
        this.p = off;
        this.end = off + len;
    }

    boolean atEnd() {
        return p >= end;
    }

    int peek() {
        return p < end ? b[p] : -1;
    }

    boolean accept(char c) {
        if (p < end && b[p] == c) {
            p++;
            return true;
        }
        return false;
    }

    void expect(char c) {
        if (p >= end || b[p] != c) {
            throw new IllegalArgumentException("expected '" + c + "' at offset " + p);
        }
        p++;
    }

    /**
     * Reads an unsigned decimal number of {@code min..max} digits. Overflow-checked: a number above
     * {@link Long#MAX_VALUE} (possible from 19 digits on) fails instead of wrapping.
     */
    long digits(int min, int max) {
        long v = 0;
        int n = 0;
        while (p < end && n < max) {
            int d = b[p] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            if (v > (Long.MAX_VALUE - d) / 10) {
                throw new IllegalArgumentException("number too large at offset " + p);
            }
            v = v * 10 + d;
            p++;
            n++;
        }
        if (n < min) {
            throw new IllegalArgumentException("expected digits at offset " + p);
        }
        return v;
    }

    /** After a '.', reads up to 9 fraction digits and returns them as nanoseconds (extra digits are ignored). */
    int fractionNanos() {
        int v = 0;
        int n = 0;
        while (p < end) {
            int d = b[p] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            if (n < 9) {
                v = v * 10 + d;
                n++;
            }
            p++;
        }
        if (n == 0) {
            throw new IllegalArgumentException("expected fraction digits at offset " + p);
        }
        for (int i = n; i < 9; i++) {
            v *= 10;
        }
        return v;
    }

    boolean matches(String text) {
        int len = end - p;
        if (len != text.length()) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (b[p + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
