package io.echodb.adapters.clickhouse;

import io.echodb.core.schema.ColumnType;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Decoding in two steps: {@link #readRaw} turns RowBinary bytes of a ClickHouse type into plain Java values
 * (Long/Float/Double/BigInteger/BigDecimal/byte[]/LocalDate/Instant/UUID/Boolean/List), and {@link #toNeutral} turns such
 * a value into the neutral value of a source column type (see {@link ColumnType}).
 */
final class ValueReaders {

    private ValueReaders() {
    }

    static Object readRaw(ChType type, RowBinaryInput in) throws IOException {
        if (type instanceof ChType.Nullable n) {
            return in.readUnsignedByte() != 0 ? null : readRaw(n.inner(), in);
        } else if (type instanceof ChType.LowCardinality l) {
            return readRaw(l.inner(), in);
        } else if (type instanceof ChType.Array a) {
            long n = in.readVarUInt();
            List<Object> list = new ArrayList<>((int) Math.min(n, 1024));
            for (long i = 0; i < n; i++) {
                list.add(readRaw(a.element(), in));
            }
            return list;
        } else if (type instanceof ChType.Decimal d) {
            BigInteger unscaled = switch (d.width()) {
                case 4 -> BigInteger.valueOf(in.readInt());
                case 8 -> BigInteger.valueOf(in.readLong());
                default -> in.readBigInteger(d.width(), true);
            };
            return new BigDecimal(unscaled, d.scale());
        } else if (type instanceof ChType.DateTime64 dt) {
            long ticks = in.readLong();
            long perSecond = BigInteger.TEN.pow(dt.precision()).longValueExact();
            long nanosPerTick = BigInteger.TEN.pow(9 - dt.precision()).longValueExact();
            return Instant.ofEpochSecond(Math.floorDiv(ticks, perSecond), Math.floorMod(ticks, perSecond) * nanosPerTick);
        } else if (type instanceof ChType.Simple s) {
            return readSimple(s.kind(), in);
        }
        throw new BadValueException("cannot decode ClickHouse type " + type.sql());
    }

    private static Object readSimple(ChType.Kind kind, RowBinaryInput in) throws IOException {
        return switch (kind) {
            case BOOL -> in.readUnsignedByte() != 0;
            case INT8 -> (long) (byte) in.readUnsignedByte();
            case UINT8 -> (long) in.readUnsignedByte();
            case INT16 -> (long) in.readShort();
            case UINT16 -> (long) (in.readShort() & 0xFFFF);
            case INT32 -> (long) in.readInt();
            case UINT32 -> in.readInt() & 0xFFFF_FFFFL;
            case INT64 -> in.readLong();
            case UINT64 -> unsigned64(in.readLong());
            case INT128 -> in.readBigInteger(16, true);
            case UINT128 -> in.readBigInteger(16, false);
            case INT256 -> in.readBigInteger(32, true);
            case UINT256 -> in.readBigInteger(32, false);
            case FLOAT32 -> Float.intBitsToFloat(in.readInt());
            case FLOAT64 -> Double.longBitsToDouble(in.readLong());
            case STRING, JSON -> in.readBytes();
            case DATE -> LocalDate.ofEpochDay(in.readShort() & 0xFFFF);
            case DATE32 -> LocalDate.ofEpochDay(in.readInt());
            case DATETIME -> Instant.ofEpochSecond(in.readInt() & 0xFFFF_FFFFL);
            case UUID -> {
                long high = in.readLong();
                long low = in.readLong();
                yield new UUID(high, low);
            }
        };
    }

    /**
     * A UInt64 as a Long when it fits, else as the exact BigInteger: 2^63 and above must not wrap to a negative long
     * (9999999999999999999 is not -8446744073709551617). {@code longValue()} still gives the low 64 bits, which is
     * what the modulo-2^64 checksum sums want.
     */
    static Object unsigned64(long bits) {
        return bits >= 0 ? (Object) bits : new BigInteger(Long.toUnsignedString(bits));
    }

    /** The neutral value of source type {@code type} for a raw value read from ClickHouse; null stays null. */
    static Object toNeutral(ColumnType type, Object raw) {
        if (raw == null) {
            return null;
        }
        if (type instanceof ColumnType.ArrayOf a) {
            if (!(raw instanceof List<?> list)) {
                throw new BadValueException("expected an array, ClickHouse returned " + raw.getClass().getSimpleName());
            }
            List<Object> out = new ArrayList<>(list.size());
            for (Object e : list) {
                out.add(toNeutral(a.element(), e));
            }
            return out;
        }
        if (raw instanceof byte[] bytes) {
            return type instanceof ColumnType.Bytes ? bytes : NeutralText.parse(type, new String(bytes, StandardCharsets.UTF_8));
        }
        if (type instanceof ColumnType.Bool) {
            return raw instanceof Boolean ? raw : ((Number) raw).longValue() != 0;
        } else if (type instanceof ColumnType.Int16) {
            return (short) exactLong(raw, Short.MIN_VALUE, Short.MAX_VALUE);
        } else if (type instanceof ColumnType.Int32) {
            return (int) exactLong(raw, Integer.MIN_VALUE, Integer.MAX_VALUE);
        } else if (type instanceof ColumnType.Int64) {
            return exactLong(raw, Long.MIN_VALUE, Long.MAX_VALUE);
        } else if (type instanceof ColumnType.Float32) {
            return ((Number) raw).floatValue();
        } else if (type instanceof ColumnType.Float64) {
            return ((Number) raw).doubleValue();
        } else if (type instanceof ColumnType.Decimal || type instanceof ColumnType.Numeric) {
            return raw instanceof BigDecimal ? raw : new BigDecimal(raw.toString());
        } else if (type instanceof ColumnType.Date) {
            return raw instanceof Instant i ? LocalDate.ofInstant(i, ZoneOffset.UTC) : (LocalDate) raw;
        } else if (type instanceof ColumnType.Timestamp) {
            return LocalDateTime.ofInstant(asInstant(raw), ZoneOffset.UTC);
        } else if (type instanceof ColumnType.TimestampTz) {
            return asInstant(raw);
        } else if (type instanceof ColumnType.Uuid) {
            return (UUID) raw;
        }
        // Text-like source types over a non-String target (after a source type change): use the text form.
        return NeutralText.parse(type, NeutralText.render(type, raw));
    }

    private static Instant asInstant(Object raw) {
        if (raw instanceof Instant i) {
            return i;
        }
        if (raw instanceof LocalDate d) {
            return d.atStartOfDay().toInstant(ZoneOffset.UTC);
        }
        throw new BadValueException("expected a timestamp, ClickHouse returned " + raw.getClass().getSimpleName());
    }

    private static long exactLong(Object raw, long min, long max) {
        long v;
        if (raw instanceof Long || raw instanceof Integer || raw instanceof Short) {
            v = ((Number) raw).longValue();
        } else if (raw instanceof Boolean b) {
            v = b ? 1 : 0;
        } else if (raw instanceof BigInteger bi && bi.bitLength() < 64) {
            v = bi.longValue();
        } else {
            throw new BadValueException("expected an integer, ClickHouse returned " + raw);
        }
        if (v < min || v > max) {
            throw new BadValueException("stored value " + v + " does not fit the source column's type");
        }
        return v;
    }
}
