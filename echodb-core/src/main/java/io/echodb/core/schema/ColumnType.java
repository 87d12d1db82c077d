package io.echodb.core.schema;

import io.echodb.core.model.InvalidValueException;
import java.util.List;
import java.util.Objects;

/**
 * Neutral logical column types. Row values use these Java types:
 * Bool=Boolean, Int16=Short, Int32=Integer, Int64=Long, Float32=Float, Float64=Double (NaN and infinities as is),
 * Decimal/Numeric=BigDecimal or {@link SpecialValue}, Text/Json/Enum/Unknown=String, Bytes=byte[], Date=LocalDate,
 * Time=LocalTime, Timestamp=LocalDateTime, TimestampTz=Instant (dates and timestamps may be a {@link SpecialValue}
 * infinity), Uuid=UUID, Interval={@link PgInterval}, ArrayOf=java.util.List (elements may be null).
 * Any value may be null (SQL NULL) or {@link UnchangedToast#INSTANCE} in an update.
 */
public sealed interface ColumnType {

    record Bool() implements ColumnType { }

    record Int16() implements ColumnType { }

    record Int32() implements ColumnType { }

    record Int64() implements ColumnType { }

    record Float32() implements ColumnType { }

    record Float64() implements ColumnType { }

    /** numeric(precision, scale). */
    record Decimal(int precision, int scale) implements ColumnType {
        public Decimal {
            if (precision < 1 || precision > 1000) {
                throw InvalidValueException.of("decimal precision", precision, "must be 1..1000");
            }
            if (scale < 0 || scale > precision) {
                throw InvalidValueException.of("decimal scale", scale, "must be 0..precision");
            }
        }
    }

    /** numeric without precision: arbitrary size, kept lossless. */
    record Numeric() implements ColumnType { }

    record Text() implements ColumnType { }

    record Bytes() implements ColumnType { }

    record Date() implements ColumnType { }

    record Time() implements ColumnType { }

    record Timestamp() implements ColumnType { }

    record TimestampTz() implements ColumnType { }

    record Uuid() implements ColumnType { }

    record Json() implements ColumnType { }

    record Interval() implements ColumnType { }

    record Enum(String typeName, List<String> labels) implements ColumnType {
        public Enum {
            Objects.requireNonNull(typeName, "typeName");
            labels = List.copyOf(labels);
        }
    }

    record ArrayOf(ColumnType element) implements ColumnType {
        public ArrayOf {
            Objects.requireNonNull(element, "element");
        }
    }

    /** A type the engine does not model; values travel as their PostgreSQL text form. */
    record Unknown(String sourceTypeName) implements ColumnType {
        public Unknown {
            Objects.requireNonNull(sourceTypeName, "sourceTypeName");
        }
    }

    ColumnType BOOL = new Bool();
    ColumnType INT16 = new Int16();
    ColumnType INT32 = new Int32();
    ColumnType INT64 = new Int64();
    ColumnType FLOAT32 = new Float32();
    ColumnType FLOAT64 = new Float64();
    ColumnType NUMERIC = new Numeric();
    ColumnType TEXT = new Text();
    ColumnType BYTES = new Bytes();
    ColumnType DATE = new Date();
    ColumnType TIME = new Time();
    ColumnType TIMESTAMP = new Timestamp();
    ColumnType TIMESTAMPTZ = new TimestampTz();
    ColumnType UUID = new Uuid();
    ColumnType JSON = new Json();
    ColumnType INTERVAL = new Interval();
}
