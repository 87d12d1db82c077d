package io.echodb.adapters.postgres.decode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Parses PostgreSQL's array output {@code {1,2,NULL}}, {@code {"a b","say \"hi\"",NULL,"NULL"}}, nested
 * {@code {{1,2},{3,4}}} (a list of lists) and the {@code [0:1]={…}} form with explicit bounds (bounds dropped).
 * Elements are decoded by the element type's decoder; an unquoted {@code NULL} is SQL NULL, a quoted one is text.
 */
final class PgArrayText {

    private PgArrayText() {
    }

    static List<Object> parse(byte[] b, int off, int len, TextDecoder element) {
        int p = off;
        int end = off + len;
        if (p < end && b[p] == '[') {
            while (p < end && b[p] != '=') {
                p++;
            }
            p++;
        }
        int[] pos = {p};
        List<Object> out = list(b, pos, end, element);
        if (pos[0] != end) {
            throw new IllegalArgumentException("unexpected text after the array at offset " + pos[0]);
        }
        return out;
    }

    private static List<Object> list(byte[] b, int[] pos, int end, TextDecoder element) {
        int p = pos[0];
        if (p >= end || b[p] != '{') {
            throw new IllegalArgumentException("expected '{' at offset " + p);
        }
        p++;
        List<Object> out = new ArrayList<>();
        if (p < end && b[p] == '}') {
            pos[0] = p + 1;
            return Collections.unmodifiableList(out);
        }
        while (true) {
            if (p >= end) {
                throw new IllegalArgumentException("unterminated array");
            }
            byte c = b[p];
            if (c == '{') {
                pos[0] = p;
                out.add(list(b, pos, end, element));
                p = pos[0];
            } else if (c == '"') {
                p = quoted(b, p + 1, end, element, out);
            } else {
                int start = p;
                boolean escaped = false;
                while (p < end && b[p] != ',' && b[p] != '}') {
                    if (b[p] == '\\') {
                        escaped = true;
                        p++;
                    }
                    p++;
                }
                int n = p - start;
                if (n == 4 && isNull(b, start)) {
                    out.add(null);
                } else if (escaped) {
                    byte[] u = unescape(b, start, p);
                    out.add(element.decode(u, 0, u.length));
                } else {
                    out.add(element.decode(b, start, n));
                }
            }
            if (p >= end) {
                throw new IllegalArgumentException("unterminated array");
            }
            if (b[p] == ',') {
                p++;
            } else if (b[p] == '}') {
                pos[0] = p + 1;
                return Collections.unmodifiableList(out);
            } else {
                throw new IllegalArgumentException("expected ',' or '}' at offset " + p);
            }
        }
    }

    /** Reads a quoted element starting after its opening quote; returns the offset after the closing quote. */
    private static int quoted(byte[] b, int start, int end, TextDecoder element, List<Object> out) {
        int p = start;
        boolean escaped = false;
        while (p < end && b[p] != '"') {
            if (b[p] == '\\') {
                escaped = true;
                p++;
            }
            p++;
        }
        if (p >= end) {
            throw new IllegalArgumentException("unterminated quoted array element");
        }
        if (escaped) {
            byte[] u = unescape(b, start, p);
            out.add(element.decode(u, 0, u.length));
        } else {
            out.add(element.decode(b, start, p - start));
        }
        return p + 1;
    }

    private static byte[] unescape(byte[] b, int start, int end) {
        byte[] u = new byte[end - start];
        int n = 0;
        for (int i = start; i < end; i++) {
            if (b[i] == '\\' && i + 1 < end) {
                i++;
            }
            u[n++] = b[i];
        }
        return n == u.length ? u : java.util.Arrays.copyOf(u, n);
    }

    private static boolean isNull(byte[] b, int p) {
        return (b[p] | 0x20) == 'n' && (b[p + 1] | 0x20) == 'u' && (b[p + 2] | 0x20) == 'l' && (b[p + 3] | 0x20) == 'l';
    }
}
