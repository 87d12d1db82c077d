package io.echodb.adapters.clickhouse;

import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.SpecialValue;
import io.echodb.core.schema.UnchangedToast;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Encoders of neutral values into RowBinary for one ClickHouse target type. The target type is the column's actual
 * type in ClickHouse (which may be wider than what the mapper would create today), so a value is converted to
 * whatever the column holds. Special values follow docs/TYPE-MAPPING.md: out-of-range dates and timestamps and
 * their infinities clamp to ClickHouse's range, numeric NaN/±Infinity become NULL in Decimal columns.
 */
final class ValueWriters {

    private ValueWriters() {
    }

    /** Writes one value; {@code value} may be null (NULL). */
    interface ValueWriter {
        void write(RowBinaryOutput out, Object value);

        /** True when this non-null value is stored as NULL (numeric NaN/±Infinity in a Decimal). */
        default boolean writesAsNull(Object value) {
            return false;
        }

        /** Writes the type's default (zero, '', empty array, NULL): only for non-key columns of delete markers. */
        void writeDefault(RowBinaryOutput out);
    }

    /** The writer of one target column: handles NULLs and delete markers, then the value itself. */
    static final class ColumnWriter {
        private final String column;
        private final ValueWriter writer;
        private final boolean nullable;
        private final boolean array;

        ColumnWriter(String column, ChType target, ColumnType source) {
            this(column, target, source, false);
        }

        /**
         * {@code key}: the column is part of the sorting key, where a value clamped to ClickHouse's range would merge
         * with another row (two dates before 1900, or {@code infinity} and the real 2299-12-31): such values are refused
         * instead of clamped, so the mirror fails with the reason rather than showing one row for two.
         */
        ColumnWriter(String column, ChType target, ColumnType source, boolean key) {
            this.column = column;
            ValueWriter w = forType(target, source);
            this.writer = key && clamps(target) ? refusingClamped(w) : w;
            this.nullable = target.isNullable();
            this.array = target instanceof ChType.Array;
        }

        String column() {
            return column;
        }

        void write(RowBinaryOutput out, Object value, boolean deletedRow) {
            if (value == UnchangedToast.INSTANCE) {
                throw new BadValueException("an unchanged-TOAST marker reached the sink; the engine must fill it first");
            }
            if (!nullable && !array && deletedRow && (value == null || writer.writesAsNull(value))) {
                writer.writeDefault(out); // a delete marker only needs its key; other values are never read
                return;
            }
            writer.write(out, value);
        }
    }

    private static boolean clamps(ChType target) {
        String sql = target.sql();
        return sql.contains("Date32") || sql.contains("DateTime64");
    }

    private static ValueWriter refusingClamped(ValueWriter inner) {
        return new ValueWriter() {
            @Override
            public void write(RowBinaryOutput out, Object value) {
                if (value != null && DateRange.wouldClamp(value)) {
                    throw new BadValueException("key value " + value + " is outside ClickHouse's range (1900-01-01 .."
                            + " 2299-12-31) and would be clamped, making it equal to other keys; such a table cannot be"
                            + " keyed by this column in ClickHouse");
                }
                inner.write(out, value);
            }

            @Override
            public void writeDefault(RowBinaryOutput out) {
                inner.writeDefault(out);
            }

            @Override
            public boolean writesAsNull(Object value) {
                return inner.writesAsNull(value);
            }
        };
    }

    static ValueWriter forType(ChType target, ColumnType source) {
        if (target instanceof ChType.Nullable n) {
            return nullable(forType(n.inner(), source));
        } else if (target instanceof ChType.LowCardinality l) {
            return forType(l.inner(), source); // RowBinary sends LowCardinality(T) as T
        } else if (target instanceof ChType.Array a) {
            if (!(source instanceof ColumnType.ArrayOf src)) {
                throw new BadValueException("a " + typeName(source) + " value cannot be written to ClickHouse " + target.sql());
            }
            return array(forType(a.element(), src.element()));
        } else if (target instanceof ChType.Decimal d) {
            return decimal(d);
        } else if (target instanceof ChType.DateTime64 dt) {
            return dateTime64(dt.precision());
        } else if (target instanceof ChType.Simple s) {
            return simple(s.kind(), source, target);
        }
        throw new BadValueException("ClickHouse type " + target.sql() + " is not supported by this adapter");
    }

    private static ValueWriter simple(ChType.Kind kind, ColumnType source, ChType target) {
        switch (kind) {
            case BOOL:
                return fixed((out, v) -> out.writeByte(asBoolean(v) ? 1 : 0), out -> out.writeByte(0));
            case INT8:
                return fixed((out, v) -> out.writeByte((int) integral(v, Byte.MIN_VALUE, Byte.MAX_VALUE, "Int8")), out -> out.writeByte(0));
            case INT16:
                return fixed((out, v) -> out.writeShort((int) integral(v, Short.MIN_VALUE, Short.MAX_VALUE, "Int16")), out -> out.writeShort(0));
            case INT32:
                return fixed((out, v) -> out.writeInt((int) integral(v, Integer.MIN_VALUE, Integer.MAX_VALUE, "Int32")), out -> out.writeInt(0));
            case INT64:
                return fixed((out, v) -> out.writeLong(integral(v, Long.MIN_VALUE, Long.MAX_VALUE, "Int64")), out -> out.writeLong(0));
            case FLOAT32:
                return fixed((out, v) -> out.writeFloat(asNumber(v).floatValue()), out -> out.writeFloat(0f));
            case FLOAT64:
                return fixed((out, v) -> out.writeDouble(asNumber(v).doubleValue()), out -> out.writeDouble(0d));
            case STRING:
                return fixed((out, v) -> {
                    if (v instanceof byte[] b) {
                        out.writeBytes(b);
                    } else {
                        out.writeString(NeutralText.render(source, v));
                    }
                }, out -> out.writeVarUInt(0));
            case JSON:
                // Sent as text; the insert sets input_format_binary_read_json_as_string = 1.
                return fixed((out, v) -> out.writeString(NeutralText.render(source, v)), out -> out.writeString("{}"));
            case DATE32:
                return fixed((out, v) -> out.writeInt((int) DateRange.clampDate(v).toEpochDay()), out -> out.writeInt(0));
            case UUID:
                return fixed((out, v) -> {
                    UUID u = asUuid(v);
                    // ClickHouse keeps a UUID as two UInt64 halves, the high (first 8 bytes as written) half first.
                    out.writeLong(u.getMostSignificantBits());
                    out.writeLong(u.getLeastSignificantBits());
                }, out -> {
                    out.writeLong(0);
                    out.writeLong(0);
                });
            default:
                throw new BadValueException("ClickHouse type " + target.sql() + " is not written by this adapter");
        }
    }

    /** A writer for a non-Nullable type: NULL is refused (arrays and delete markers are handled by their callers). */
    private static ValueWriter fixed(Encoder encoder, DefaultEncoder defaults) {
        return new ValueWriter() {
            @Override
            public void write(RowBinaryOutput out, Object value) {
                if (value == null) {
                    throw new BadValueException("NULL cannot be stored in a non-Nullable column");
                }
                encoder.encode(out, value);
            }

            @Override
            public void writeDefault(RowBinaryOutput out) {
                defaults.encode(out);
            }
        };
    }

    private interface Encoder {
        void encode(RowBinaryOutput out, Object value);
    }

    private interface DefaultEncoder {
        void encode(RowBinaryOutput out);
    }

    private static ValueWriter nullable(ValueWriter inner) {
        return new ValueWriter() {
            @Override
            public void write(RowBinaryOutput out, Object value) {
                if (value == null || inner.writesAsNull(value)) {
                    out.writeByte(1);
                } else {
                    out.writeByte(0);
                    inner.write(out, value);
                }
            }

            @Override
            public void writeDefault(RowBinaryOutput out) {
                out.writeByte(1);
            }
        };
    }

    /** Arrays cannot be Nullable in ClickHouse: a NULL array is written as an empty one (documented rule). */
    private static ValueWriter array(ValueWriter element) {
        return new ValueWriter() {
            @Override
            public void write(RowBinaryOutput out, Object value) {
                if (value == null) {
                    out.writeVarUInt(0);
                    return;
                }
                if (!(value instanceof List<?> list)) {
                    throw new BadValueException("expected a java.util.List for an array, got " + value.getClass().getSimpleName());
                }
                int n = list.size();
                out.writeVarUInt(n);
                // by index: an iterator of an unmodifiable list is an allocation per array value (JFR of the copy)
                for (int i = 0; i < n; i++) {
                    element.write(out, list.get(i));
                }
            }

            @Override
            public void writeDefault(RowBinaryOutput out) {
                out.writeVarUInt(0);
            }
        };
    }

    private static ValueWriter decimal(ChType.Decimal type) {
        BigInteger limit = BigInteger.TEN.pow(type.precision());
        return new ValueWriter() {
            @Override
            public boolean writesAsNull(Object value) {
                return value instanceof SpecialValue;
            }

            @Override
            public void write(RowBinaryOutput out, Object value) {
                if (value == null) {
                    throw new BadValueException("NULL cannot be stored in a non-Nullable column");
                }
                if (value instanceof SpecialValue sv) {
                    throw new BadValueException("numeric " + NeutralText.special(ColumnType.NUMERIC, sv)
                            + " cannot be stored in the non-Nullable key column of type " + type.sql());
                }
                BigDecimal d = asDecimal(value);
                BigInteger unscaled;
                try {
                    unscaled = d.setScale(type.scale(), RoundingMode.UNNECESSARY).unscaledValue();
                } catch (ArithmeticException e) {
                    throw new BadValueException("value " + d.toPlainString() + " has more than " + type.scale()
                            + " fraction digits for " + type.sql());
                }
                if (unscaled.abs().compareTo(limit) >= 0) {
                    throw new BadValueException("value " + d.toPlainString() + " does not fit " + type.sql());
                }
                switch (type.width()) {
                    case 4 -> out.writeInt(unscaled.intValue());
                    case 8 -> out.writeLong(unscaled.longValue());
                    default -> out.writeBigInteger(unscaled, type.width());
                }
            }

            @Override
            public void writeDefault(RowBinaryOutput out) {
                switch (type.width()) {
                    case 4 -> out.writeInt(0);
                    case 8 -> out.writeLong(0);
                    default -> out.writeBigInteger(BigInteger.ZERO, type.width());
                }
            }
        };
    }

    private static ValueWriter dateTime64(int precision) {
        long ticksPerSecond = BigInteger.TEN.pow(precision).longValueExact();
        long nanosPerTick = BigInteger.TEN.pow(9 - precision).longValueExact();
        return fixed((out, v) -> {
            Instant i = DateRange.clampInstant(v);
            out.writeLong(Math.addExact(Math.multiplyExact(i.getEpochSecond(), ticksPerSecond), i.getNano() / nanosPerTick));
        }, out -> out.writeLong(0));
    }

    private static long integral(Object v, long min, long max, String type) {
        long l;
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            l = ((Number) v).longValue();
        } else if (v instanceof BigInteger bi && bi.bitLength() < 64) {
            l = bi.longValue();
        } else if (v instanceof Boolean b) {
            l = b ? 1 : 0;
        } else {
            throw BadValueException.unexpected("an integer", v);
        }
        if (l < min || l > max) {
            throw new BadValueException("value " + l + " does not fit " + type);
        }
        return l;
    }

    private static Number asNumber(Object v) {
        if (v instanceof Number n && !(v instanceof BigDecimal)) {
            return n;
        }
        throw BadValueException.unexpected("a number", v);
    }

    private static BigDecimal asDecimal(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short) {
            return BigDecimal.valueOf(((Number) v).longValue());
        }
        throw BadValueException.unexpected("a BigDecimal", v);
    }

    private static boolean asBoolean(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw BadValueException.unexpected("a Boolean", v);
    }

    private static UUID asUuid(Object v) {
        if (v instanceof UUID u) {
            return u;
        }
        if (v instanceof String s) {
            try {
                return UUID.fromString(s);
            } catch (IllegalArgumentException e) {
                throw new BadValueException("'" + NeutralText.abbreviate(s) + "' is not a UUID");
            }
        }
        throw BadValueException.unexpected("a UUID", v);
    }

    static String typeName(ColumnType type) {
        return type.getClass().getSimpleName().toLowerCase();
    }
}
