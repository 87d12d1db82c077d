package io.echodb.adapters.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.PgInterval;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Numbers at and beyond the range of a long on the ClickHouse side: written to Decimal, String and Int64 columns and
 * read back, never wrapped (9999999999999999999 once became -8446744073709551617 on the PostgreSQL side).
 */
class NumbersBeyondLongRangeTest {

    private static final String[] NUMBERS = {
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "9999999999999999999", "-9999999999999999999", "99999999999999999999", "-99999999999999999999",
        "18446744073709551615", "18446744073709551616",
    };

    private static Object roundTrip(ChType type, ColumnType source, Object value) throws Exception {
        RowBinaryOutput out = new RowBinaryOutput(16);
        ValueWriters.forType(type, source).write(out, value);
        RowBinaryInput in = new RowBinaryInput(new ByteArrayInputStream(out.toByteArray()));
        Object back = ValueReaders.toNeutral(source, ValueReaders.readRaw(type, in));
        assertThat(in.atEnd()).isTrue();
        return back;
    }

    @Test
    void decimalColumnsKeepEveryDigit() throws Exception {
        for (String n : NUMBERS) {
            BigDecimal v = new BigDecimal(n);
            assertThat(roundTrip(ChType.nullable(new ChType.Decimal(21, 0)), new ColumnType.Decimal(21, 0), v)).as(n)
                    .isEqualTo(v);
            assertThat(roundTrip(new ChType.Decimal(40, 1), new ColumnType.Decimal(40, 1), v)).as(n)
                    .isEqualTo(v.setScale(1));
        }
        BigDecimal withScale = new BigDecimal("12345678901234567890.5");
        assertThat(roundTrip(new ChType.Decimal(21, 1), new ColumnType.Decimal(21, 1), withScale)).isEqualTo(withScale);
        assertThat(roundTrip(new ChType.Decimal(21, 1), new ColumnType.Decimal(21, 1), withScale.negate()))
                .isEqualTo(withScale.negate());
        // Decimal(18, 0) is stored in 8 bytes: 18 digits fit, 19 are refused rather than wrapped
        assertThat(roundTrip(new ChType.Decimal(18, 0), new ColumnType.Decimal(18, 0), new BigDecimal("999999999999999999")))
                .isEqualTo(new BigDecimal("999999999999999999"));
        for (String n : new String[] {"9999999999999999999", "-9223372036854775809", "1000000000000000000"}) {
            assertThatThrownBy(() -> roundTrip(new ChType.Decimal(18, 0), new ColumnType.Decimal(18, 0), new BigDecimal(n)))
                    .as(n).isInstanceOf(BadValueException.class).hasMessageContaining(n);
        }
    }

    @Test
    void unboundedNumericsAsStringsInKeysAndArrays() throws Exception {
        for (String n : NUMBERS) {
            BigDecimal v = new BigDecimal(n);
            // a numeric key column is a plain String
            assertThat(roundTrip(ChType.STRING, ColumnType.NUMERIC, v)).as(n).isEqualTo(v);
            assertThat(NeutralText.render(ColumnType.NUMERIC, v)).isEqualTo(n);
        }
        ColumnType numerics = new ColumnType.ArrayOf(ColumnType.NUMERIC);
        List<BigDecimal> values = Arrays.stream(NUMBERS).map(BigDecimal::new).toList();
        assertThat(roundTrip(new ChType.Array(ChType.nullable(ChType.STRING)), numerics, values)).isEqualTo(values);
        List<BigDecimal> decimals = List.of(new BigDecimal("9999999999999999999.0"), new BigDecimal("-12345678901234567890.5"));
        assertThat(roundTrip(new ChType.Array(ChType.nullable(new ChType.Decimal(21, 1))),
                new ColumnType.ArrayOf(new ColumnType.Decimal(21, 1)), decimals)).isEqualTo(decimals);
        assertThat(NeutralText.parse(ColumnType.NUMERIC, "12345678901234567890.5"))
                .isEqualTo(new BigDecimal("12345678901234567890.5"));
    }

    @Test
    void int64TakesItsFullRangeAndRejectsMore() throws Exception {
        for (long v : new long[] {Long.MAX_VALUE, Long.MIN_VALUE, -1, 999_999_999_999_999_999L}) {
            assertThat(roundTrip(ChType.INT64, ColumnType.INT64, v)).isEqualTo(v);
        }
        assertThat(roundTrip(ChType.INT64, ColumnType.INT64, BigInteger.valueOf(Long.MIN_VALUE))).isEqualTo(Long.MIN_VALUE);
        for (String n : new String[] {"9223372036854775808", "-9223372036854775809", "9999999999999999999"}) {
            assertThatThrownBy(() -> roundTrip(ChType.INT64, ColumnType.INT64, new BigInteger(n))).as(n)
                    .isInstanceOf(BadValueException.class);
        }
    }

    @Test
    void uint64AboveTwoToThe63IsReadExactly() throws Exception {
        RowBinaryOutput out = new RowBinaryOutput(16);
        out.writeLong(Long.MAX_VALUE);
        out.writeLong(Long.MIN_VALUE); // 2^63
        out.writeLong(new BigInteger("9999999999999999999").longValue());
        out.writeLong(-1); // 2^64 - 1
        RowBinaryInput in = new RowBinaryInput(new ByteArrayInputStream(out.toByteArray()));
        ChType uint64 = ChType.parse("UInt64");
        assertThat(ValueReaders.readRaw(uint64, in)).isEqualTo(Long.MAX_VALUE);
        Object twoTo63 = ValueReaders.readRaw(uint64, in);
        assertThat(twoTo63).isEqualTo(new BigInteger("9223372036854775808"));
        Object nines = ValueReaders.readRaw(uint64, in);
        assertThat(nines).isEqualTo(new BigInteger("9999999999999999999"));
        assertThat(ValueReaders.readRaw(uint64, in)).isEqualTo(new BigInteger("18446744073709551615"));
        // the checksums sum UInt64 hashes modulo 2^64 and take the low 64 bits: unchanged
        assertThat(((Number) twoTo63).longValue()).isEqualTo(Long.MIN_VALUE);
        // a value beyond the source column's range is refused, an unbounded numeric takes it exactly
        assertThatThrownBy(() -> ValueReaders.toNeutral(ColumnType.INT64, nines)).isInstanceOf(BadValueException.class);
        assertThat(ValueReaders.toNeutral(ColumnType.NUMERIC, nines)).isEqualTo(new BigDecimal("9999999999999999999"));
    }

    @Test
    void intervalsAtTheLimitsSurviveTheirIsoForm() {
        // PostgreSQL 17's -infinity is every field at its minimum; Math.abs(Long.MIN_VALUE) once made it "--2562047788H"
        PgInterval minusInfinity = new PgInterval(Integer.MIN_VALUE, Integer.MIN_VALUE, Long.MIN_VALUE);
        assertThat(minusInfinity.toIso()).isEqualTo("P-178956970Y-8M-2147483648DT-2562047788H-54.775808S");
        for (PgInterval iv : new PgInterval[] {minusInfinity, new PgInterval(0, 0, Long.MIN_VALUE),
            new PgInterval(0, 0, Long.MIN_VALUE + 1), new PgInterval(Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE),
            new PgInterval(0, 0, -1), new PgInterval(0, 0, -3_600_000_000L)}) {
            assertThat(NeutralText.parseInterval(iv.toIso())).as(iv.toIso()).isEqualTo(iv);
        }
    }

    @Test
    void storedIntervalsBeyondTheirRangeFailInsteadOfWrapping() {
        assertThat(NeutralText.parseInterval("PT2562047788H54.775807S")).isEqualTo(new PgInterval(0, 0, Long.MAX_VALUE));
        assertThat(NeutralText.parseInterval("PT-2562047788H-54.775808S")).isEqualTo(new PgInterval(0, 0, Long.MIN_VALUE));
        for (String text : new String[] {"PT2562047789H", "PT2562047788H54.775808S", "PT-2562047788H-54.775809S",
            "PT153722867281M", "PT9223372036855S", "PT9999999999999999999S", "P768614336404564651Y"}) {
            assertThatThrownBy(() -> NeutralText.parseInterval(text)).as(text).isInstanceOf(RuntimeException.class);
            assertThatThrownBy(() -> NeutralText.parse(ColumnType.INTERVAL, text)).as(text)
                    .isInstanceOf(BadValueException.class).hasMessageContaining(text);
        }
    }
}
