package io.echodb.adapters.postgres.decode;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;

import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.SpecialValue;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Text-form decoders for every {@link ColumnType}, shared by the stream (pgoutput) and the snapshot (COPY) paths so
 * both decode identically. Hot paths parse ASCII digits directly and use no regular expressions. Values follow the
 * conventions of {@link ColumnType}: numeric NaN/±Infinity and date/timestamp ±infinity become {@link SpecialValue};
 * float NaN/±Infinity stay as Java's. The session settings of {@code PgConnectionFactory} (ISO dates, UTC, ISO 8601
 * intervals, hex bytea) are assumed.
 */
public final class PgTextDecoders {

    private static final ConcurrentMap<ColumnType, TextDecoder> CACHE = new ConcurrentHashMap<>();

    /** The most digits the numeric fast path accumulates in a long: every 18-digit number fits, not every 19-digit one. */
    static final int MAX_FAST_NUMERIC_DIGITS = 18;

    static final TextDecoder TEXT = (b, o, l) -> new String(b, o, l, StandardCharsets.UTF_8);
    static final TextDecoder BOOL = PgTextDecoders::bool;
    static final TextDecoder INT16 = (b, o, l) -> Short.valueOf(toShort(b, o, l));
    static final TextDecoder INT32 = (b, o, l) -> Integer.valueOf(toInt(b, o, l));
    static final TextDecoder INT64 = (b, o, l) -> Long.valueOf(parseLong(b, o, l, "bigint"));
    static final TextDecoder FLOAT32 = (b, o, l) -> Float.valueOf(Float.parseFloat(ascii(b, o, l)));
    static final TextDecoder FLOAT64 = (b, o, l) -> Double.valueOf(Double.parseDouble(ascii(b, o, l)));
    static final TextDecoder NUMERIC = PgTextDecoders::numeric;
    static final TextDecoder BYTES = PgTextDecoders::bytea;
    static final TextDecoder DATE = PgTemporal::date;
    static final TextDecoder TIME = PgTemporal::time;
    static final TextDecoder TIMESTAMP = PgTemporal::timestamp;
    static final TextDecoder TIMESTAMPTZ = PgTemporal::timestamptz;
    static final TextDecoder UUID_DECODER = PgTextDecoders::uuid;
    static final TextDecoder INTERVAL = PgIntervalText::parse;

    private PgTextDecoders() {
    }

    /** The decoder for values of {@code type}; failures throw {@link PgValueFormatException} naming the value. */
    public static TextDecoder forType(ColumnType type) {
        TextDecoder cached = CACHE.get(type);
        if (cached != null) {
            return cached;
        }
        // Not computeIfAbsent: an array's decoder is built from its element's, a nested update of the same map,
        // which ConcurrentHashMap rejects ("Recursive update"). Decoders are stateless, so a racing duplicate is fine.
        TextDecoder created = create(type);
        TextDecoder raced = CACHE.putIfAbsent(type, created);
        return raced != null ? raced : created;
    }

    private static TextDecoder create(ColumnType type) {
        TextDecoder raw = raw(type);
        String typeName = type instanceof ColumnType.Unknown u ? u.sourceTypeName() : type.toString();
        if (raw == TEXT) {
            return raw;
        }
        return (b, o, l) -> {
            try {
                return raw.decode(b, o, l);
            } catch (PgValueFormatException e) {
                throw e;
            } catch (RuntimeException e) {
                throw PgValueFormatException.of(typeName, b, o, l, e);
            }
        };
    }

    private static TextDecoder raw(ColumnType type) {
        if (type instanceof ColumnType.Bool) {
            return BOOL;
        } else if (type instanceof ColumnType.Int16) {
            return INT16;
        } else if (type instanceof ColumnType.Int32) {
            return INT32;
        } else if (type instanceof ColumnType.Int64) {
            return INT64;
        } else if (type instanceof ColumnType.Float32) {
            return FLOAT32;
        } else if (type instanceof ColumnType.Float64) {
            return FLOAT64;
        } else if (type instanceof ColumnType.Decimal || type instanceof ColumnType.Numeric) {
            return NUMERIC;
        } else if (type instanceof ColumnType.Bytes) {
            return BYTES;
        } else if (type instanceof ColumnType.Date) {
            return DATE;
        } else if (type instanceof ColumnType.Time) {
            return TIME;
        } else if (type instanceof ColumnType.Timestamp) {
            return TIMESTAMP;
        } else if (type instanceof ColumnType.TimestampTz) {
            return TIMESTAMPTZ;
        } else if (type instanceof ColumnType.Uuid) {
            return UUID_DECODER;
        } else if (type instanceof ColumnType.Interval) {
            return INTERVAL;
        } else if (type instanceof ColumnType.ArrayOf a) {
            TextDecoder element = forType(a.element());
            return (b, o, l) -> PgArrayText.parse(b, o, l, element);
        }
        // Text, Json, Enum, Unknown: the text itself
        return TEXT;
    }

    private static Boolean bool(byte[] b, int o, int l) {
        if (l == 1) {
            if (b[o] == 't') {
                return Boolean.TRUE;
            }
            if (b[o] == 'f') {
                return Boolean.FALSE;
            }
        }
        String s = ascii(b, o, l).trim().toLowerCase(java.util.Locale.ROOT);
        return switch (s) {
            case "t", "true", "yes", "on", "1" -> Boolean.TRUE;
            case "f", "false", "no", "off", "0" -> Boolean.FALSE;
            default -> throw PgValueFormatException.of("boolean", b, o, l);
        };
    }

    private static short toShort(byte[] b, int o, int l) {
        long v = parseLong(b, o, l, "smallint");
        if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) {
            throw PgValueFormatException.of("smallint", b, o, l);
        }
        return (short) v;
    }

    private static int toInt(byte[] b, int o, int l) {
        long v = parseLong(b, o, l, "integer");
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw PgValueFormatException.of("integer", b, o, l);
        }
        return (int) v;
    }

    /** Decimal ASCII digits with an optional sign; accumulates negatively so Long.MIN_VALUE parses. */
    static long parseLong(byte[] b, int o, int l, String type) {
        int i = o;
        int end = o + l;
        boolean negative = false;
        if (i < end && (b[i] == '-' || b[i] == '+')) {
            negative = b[i] == '-';
            i++;
        }
        if (i == end) {
            throw PgValueFormatException.of(type, b, o, l);
        }
        long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
        long multMin = limit / 10;
        long r = 0;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9 || r < multMin) {
                throw PgValueFormatException.of(type, b, o, l);
            }
            r *= 10;
            if (r < limit + d) {
                throw PgValueFormatException.of(type, b, o, l);
            }
            r -= d;
        }
        return negative ? r : -r;
    }

    private static Object numeric(byte[] b, int o, int l) {
        if (l == 0) {
            throw PgValueFormatException.of("numeric", b, o, l);
        }
        byte c0 = b[o];
        if (c0 == 'N') {
            return SpecialValue.NAN;
        }
        if (c0 == 'I') {
            return SpecialValue.POSITIVE_INFINITY;
        }
        if (c0 == '-' && l > 1 && b[o + 1] == 'I') {
            return SpecialValue.NEGATIVE_INFINITY;
        }
        if (l <= MAX_FAST_NUMERIC_DIGITS + 2) {
            // fast path: a sign, at most 18 digits and a decimal point. 18 digits always fit a long unscaled value
            // (10^18 - 1 < 2^63 - 1); a 19th digit may not (9999999999999999999 > 2^63 - 1) and takes the exact route.
            int i = o;
            int end = o + l;
            boolean negative = false;
            if (c0 == '-' || c0 == '+') {
                negative = c0 == '-';
                i++;
            }
            long unscaled = 0;
            int scale = -1;
            int digits = 0;
            boolean ok = i < end;
            for (; i < end; i++) {
                int d = b[i] - '0';
                if (d >= 0 && d <= 9) {
                    if (++digits > MAX_FAST_NUMERIC_DIGITS) {
                        ok = false;
                        break;
                    }
                    unscaled = unscaled * 10 + d;
                    if (scale >= 0) {
                        scale++;
                    }
                } else if (b[i] == '.' && scale < 0) {
                    scale = 0;
                } else {
                    ok = false;
                    break;
                }
            }
            if (ok && digits > 0) {
                return BigDecimal.valueOf(negative ? -unscaled : unscaled, Math.max(scale, 0));
            }
        }
        return new BigDecimal(ascii(b, o, l));
    }

    private static byte[] bytea(byte[] b, int o, int l) {
        if (l >= 2 && b[o] == '\\' && b[o + 1] == 'x') {
            int n = (l - 2) / 2;
            if ((l - 2) % 2 != 0) {
                throw PgValueFormatException.of("bytea", b, o, l);
            }
            byte[] out = new byte[n];
            for (int i = 0, p = o + 2; i < n; i++, p += 2) {
                out[i] = (byte) ((hex(b[p]) << 4) | hex(b[p + 1]));
            }
            return out;
        }
        // the traditional "escape" output format: \\ and \ooo octal, everything else literal
        byte[] out = new byte[l];
        int n = 0;
        for (int i = o, end = o + l; i < end; i++) {
            if (b[i] == '\\') {
                if (i + 1 < end && b[i + 1] == '\\') {
                    out[n++] = '\\';
                    i++;
                } else if (i + 3 < end) {
                    out[n++] = (byte) (((b[i + 1] - '0') << 6) | ((b[i + 2] - '0') << 3) | (b[i + 3] - '0'));
                    i += 3;
                } else {
                    throw PgValueFormatException.of("bytea", b, o, l);
                }
            } else {
                out[n++] = b[i];
            }
        }
        return n == l ? out : java.util.Arrays.copyOf(out, n);
    }

    private static UUID uuid(byte[] b, int o, int l) {
        if (l != 36 || b[o + 8] != '-' || b[o + 13] != '-' || b[o + 18] != '-' || b[o + 23] != '-') {
            throw PgValueFormatException.of("uuid", b, o, l);
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                continue;
            }
            int v = hex(b[o + i]);
            if (i < 19) {
                hi = (hi << 4) | v;
            } else {
                lo = (lo << 4) | v;
            }
        }
        return new UUID(hi, lo);
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
        throw new IllegalArgumentException("not a hex digit: '" + (char) c + "'");
    }

    private static String ascii(byte[] b, int o, int l) {
        return new String(b, o, l, StandardCharsets.ISO_8859_1);
    }
}
