package io.echodb.adapters.postgres.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.PgInterval;
import io.echodb.core.schema.SpecialValue;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Text-form decoding rules, value by value (the real-server matrix is in PgValueMatrixTest). */
class PgTextDecodersTest {

    private static Object decode(ColumnType type, String text) {
        byte[] b = ("##" + text + "##").getBytes(StandardCharsets.UTF_8);
        return PgTextDecoders.forType(type).decode(b, 2, b.length - 4);
    }

    @Test
    void integersIncludingTheirLimits() {
        assertThat(decode(ColumnType.INT16, "-32768")).isEqualTo((short) -32768);
        assertThat(decode(ColumnType.INT32, "2147483647")).isEqualTo(Integer.MAX_VALUE);
        assertThat(decode(ColumnType.INT64, "-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(decode(ColumnType.INT64, "9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> decode(ColumnType.INT64, "9223372036854775808"))
                .isInstanceOf(PgValueFormatException.class).hasMessageContaining("9223372036854775808");
        assertThatThrownBy(() -> decode(ColumnType.INT16, "32768")).isInstanceOf(PgValueFormatException.class);
        assertThatThrownBy(() -> decode(ColumnType.INT32, "12a")).isInstanceOf(PgValueFormatException.class);
        assertThatThrownBy(() -> decode(ColumnType.INT32, "")).isInstanceOf(PgValueFormatException.class);
    }

    @Test
    void floatsAndNumericsIncludingSpecials() {
        assertThat(decode(ColumnType.FLOAT64, "NaN")).isEqualTo(Double.NaN);
        assertThat(decode(ColumnType.FLOAT64, "-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(decode(ColumnType.FLOAT32, "Infinity")).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(decode(ColumnType.FLOAT64, "1.7976931348623157e+308")).isEqualTo(Double.MAX_VALUE);
        assertThat(decode(ColumnType.NUMERIC, "NaN")).isEqualTo(SpecialValue.NAN);
        assertThat(decode(ColumnType.NUMERIC, "Infinity")).isEqualTo(SpecialValue.POSITIVE_INFINITY);
        assertThat(decode(ColumnType.NUMERIC, "-Infinity")).isEqualTo(SpecialValue.NEGATIVE_INFINITY);
        assertThat(decode(new ColumnType.Decimal(10, 2), "-12.30")).isEqualTo(new BigDecimal("-12.30"));
        assertThat(decode(ColumnType.NUMERIC, "0")).isEqualTo(BigDecimal.ZERO);
        assertThat(decode(ColumnType.NUMERIC, "123456789012345678.5")).isEqualTo(new BigDecimal("123456789012345678.5"));
        String huge = "9".repeat(200) + "." + "1".repeat(50);
        assertThat(decode(ColumnType.NUMERIC, huge)).isEqualTo(new BigDecimal(huge));
    }

    /** Around 2^63 and at 18, 19 and 20 digits: the long fast paths must hand over to exact arithmetic, never wrap. */
    private static final String[] BEYOND_LONG = {
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "9999999999999999999", "-9999999999999999999", "99999999999999999999", "-99999999999999999999",
        "10000000000000000000", "18446744073709551615", "18446744073709551616", "999999999999999999",
        "-999999999999999999", "100000000000000000", "+9999999999999999999", "0009999999999999999999",
        "12345678901234567890.5", "-12345678901234567890.5", "9999999999999999999.0", "999999999999999999.9",
        "-99999999999999999.99", "0.9999999999999999999", "-0.9999999999999999999", "99999999999999999.9",
        ".9999999999999999999", "9223372036854775807.9",
    };

    @Test
    void numericsBeyondTheLongRangeAreExact() {
        for (String text : BEYOND_LONG) {
            BigDecimal exact = new BigDecimal(text);
            assertThat(decode(ColumnType.NUMERIC, text)).as(text).isEqualTo(exact);
            assertThat(decode(new ColumnType.Decimal(40, exact.scale()), text)).as("decimal " + text).isEqualTo(exact);
        }
        // the reported case: 9999999999999999999 came back as -8446744073709551617
        assertThat(decode(ColumnType.NUMERIC, "9999999999999999999")).isEqualTo(new BigDecimal("9999999999999999999"));
        assertThat(decode(ColumnType.NUMERIC, "-9223372036854775808")).isEqualTo(BigDecimal.valueOf(Long.MIN_VALUE));
        assertThat(decode(ColumnType.NUMERIC, "-9223372036854775809"))
                .isEqualTo(BigDecimal.valueOf(Long.MIN_VALUE).subtract(BigDecimal.ONE));
        // the fast path still keeps scale and sign exactly as written
        assertThat(decode(ColumnType.NUMERIC, "-0.0000000000000001")).isEqualTo(new BigDecimal("-1E-16"));
        assertThat(decode(ColumnType.NUMERIC, "1.10")).isEqualTo(new BigDecimal("1.10"));
        assertThatThrownBy(() -> decode(ColumnType.NUMERIC, "99999999999999999x9"))
                .isInstanceOf(PgValueFormatException.class).hasMessageContaining("99999999999999999x9");
        assertThatThrownBy(() -> decode(ColumnType.NUMERIC, "-")).isInstanceOf(PgValueFormatException.class);
    }

    @Test
    void numericArrayElementsBeyondTheLongRangeAreExact() {
        ColumnType numerics = new ColumnType.ArrayOf(ColumnType.NUMERIC);
        String text = "{" + String.join(",", BEYOND_LONG) + ",NULL,NaN}";
        List<Object> expected = new java.util.ArrayList<>();
        for (String v : BEYOND_LONG) {
            expected.add(new BigDecimal(v));
        }
        expected.add(null);
        expected.add(SpecialValue.NAN);
        assertThat(decode(numerics, text)).isEqualTo(expected);
        assertThat(decode(numerics, "{{9999999999999999999,-9999999999999999999},{\"9223372036854775808\",1}}"))
                .isEqualTo(List.of(List.of(new BigDecimal("9999999999999999999"), new BigDecimal("-9999999999999999999")),
                        List.of(new BigDecimal("9223372036854775808"), BigDecimal.ONE)));
        ColumnType decimals = new ColumnType.ArrayOf(new ColumnType.Decimal(21, 1));
        assertThat(decode(decimals, "{12345678901234567890.5,-9999999999999999999.0}"))
                .isEqualTo(List.of(new BigDecimal("12345678901234567890.5"), new BigDecimal("-9999999999999999999.0")));
    }

    @Test
    void bigintTakesItsFullRangeAndRejectsAnythingBeyond() {
        assertThat(decode(ColumnType.INT64, "+9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(decode(ColumnType.INT64, "-9223372036854775807")).isEqualTo(-Long.MAX_VALUE);
        assertThat(decode(ColumnType.INT64, "999999999999999999")).isEqualTo(999_999_999_999_999_999L);
        assertThat(decode(ColumnType.INT64, "-999999999999999999")).isEqualTo(-999_999_999_999_999_999L);
        assertThat(decode(ColumnType.INT64, "1000000000000000000")).isEqualTo(1_000_000_000_000_000_000L);
        for (String beyond : new String[] {"9223372036854775808", "-9223372036854775809", "9999999999999999999",
            "-9999999999999999999", "10000000000000000000", "18446744073709551615", "18446744073709551616",
            "99999999999999999999", "-99999999999999999999", "92233720368547758070"}) {
            assertThatThrownBy(() -> decode(ColumnType.INT64, beyond)).as(beyond)
                    .isInstanceOf(PgValueFormatException.class).hasMessageContaining(beyond);
        }
        assertThatThrownBy(() -> decode(ColumnType.INT32, "9999999999999999999")).isInstanceOf(PgValueFormatException.class);
        assertThatThrownBy(() -> decode(ColumnType.INT16, "-9223372036854775809")).isInstanceOf(PgValueFormatException.class);
        ColumnType bigints = new ColumnType.ArrayOf(ColumnType.INT64);
        assertThat(decode(bigints, "{9223372036854775807,-9223372036854775808,NULL}"))
                .isEqualTo(Arrays.asList(Long.MAX_VALUE, Long.MIN_VALUE, null));
        assertThatThrownBy(() -> decode(bigints, "{1,9999999999999999999}"))
                .isInstanceOf(PgValueFormatException.class).hasMessageContaining("9999999999999999999");
    }

    @Test
    void datesAndTimestampsIncludingInfinityBcAndExtremeYears() {
        assertThat(decode(ColumnType.DATE, "2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(decode(ColumnType.DATE, "infinity")).isEqualTo(SpecialValue.POSITIVE_INFINITY);
        assertThat(decode(ColumnType.DATE, "-infinity")).isEqualTo(SpecialValue.NEGATIVE_INFINITY);
        assertThat(decode(ColumnType.DATE, "0001-01-01 BC")).isEqualTo(LocalDate.of(0, 1, 1));
        assertThat(decode(ColumnType.DATE, "5874897-12-31")).isEqualTo(LocalDate.of(5874897, 12, 31));
        assertThat(decode(ColumnType.TIMESTAMP, "0001-01-01 00:00:00")).isEqualTo(LocalDateTime.of(1, 1, 1, 0, 0));
        assertThat(decode(ColumnType.TIMESTAMP, "294276-12-31 23:59:59.999999"))
                .isEqualTo(LocalDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000));
        assertThat(decode(ColumnType.TIMESTAMPTZ, "2024-01-01 00:00:00.1+05:30"))
                .isEqualTo(Instant.parse("2023-12-31T18:30:00.1Z"));
        assertThat(decode(ColumnType.TIMESTAMPTZ, "1900-01-01 00:00:00-00:09:21"))
                .isEqualTo(Instant.parse("1900-01-01T00:09:21Z"));
        assertThat(decode(ColumnType.TIMESTAMPTZ, "-infinity")).isEqualTo(SpecialValue.NEGATIVE_INFINITY);
        assertThat(decode(ColumnType.TIME, "24:00:00")).isEqualTo(LocalTime.of(23, 59, 59, 999_999_000));
        assertThat(decode(ColumnType.TIME, "01:00:00+02")).isEqualTo(LocalTime.of(23, 0));
        assertThatThrownBy(() -> decode(ColumnType.DATE, "2024/01/01")).isInstanceOf(PgValueFormatException.class)
                .hasMessageContaining("2024/01/01");
    }

    @Test
    void iso8601Intervals() {
        assertThat(decode(ColumnType.INTERVAL, "P1Y2M3DT4H5M6.789S"))
                .isEqualTo(new PgInterval(14, 3, 14_706_789_000L));
        assertThat(decode(ColumnType.INTERVAL, "PT0S")).isEqualTo(new PgInterval(0, 0, 0));
        assertThat(decode(ColumnType.INTERVAL, "P-1Y-2M3DT-4H")).isEqualTo(new PgInterval(-14, 3, -14_400_000_000L));
        assertThat(decode(ColumnType.INTERVAL, "PT-0.000001S")).isEqualTo(new PgInterval(0, 0, -1));
        assertThat(decode(ColumnType.INTERVAL, "infinity"))
                .isEqualTo(new PgInterval(Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE));
    }

    @Test
    void intervalFieldsAtTheLimitsNeverWrap() {
        // PostgreSQL's largest and smallest finite intervals, and the time part at exactly ±(2^63 - 1) / -2^63 µs
        assertThat(decode(ColumnType.INTERVAL, "P178956970Y7M2147483647DT2562047788H54.775807S"))
                .isEqualTo(new PgInterval(Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE));
        assertThat(decode(ColumnType.INTERVAL, "PT-2562047788H-54.775808S")).isEqualTo(new PgInterval(0, 0, Long.MIN_VALUE));
        assertThat(decode(ColumnType.INTERVAL, "PT9223372036854S")).isEqualTo(new PgInterval(0, 0, 9_223_372_036_854_000_000L));
        // -infinity renders as its fields (Math.abs(Long.MIN_VALUE) once wrapped) and that text decodes back to it
        PgInterval minusInfinity = (PgInterval) decode(ColumnType.INTERVAL, "-infinity");
        assertThat(minusInfinity).isEqualTo(new PgInterval(Integer.MIN_VALUE, Integer.MIN_VALUE, Long.MIN_VALUE));
        assertThat(decode(ColumnType.INTERVAL, minusInfinity.toIso())).isEqualTo(minusInfinity);
        for (String beyond : new String[] {"PT9999999999999999999S", "PT9223372036854775808H", "PT2562047789H",
            "PT2562047788H54.775808S", "PT-2562047788H-54.775809S", "PT9223372036855S", "P9999999999999999999D",
            "P1317624576693539402W", "PT99999999999999999999S"}) {
            assertThatThrownBy(() -> decode(ColumnType.INTERVAL, beyond)).as(beyond)
                    .isInstanceOf(PgValueFormatException.class).hasMessageContaining(beyond);
        }
    }

    @Test
    void byteaUuidBoolAndText() {
        assertThat((byte[]) decode(ColumnType.BYTES, "\\x00FFab")).containsExactly(0, 0xff, 0xab);
        assertThat((byte[]) decode(ColumnType.BYTES, "a\\\\b\\001")).containsExactly('a', '\\', 'b', 1);
        assertThat(decode(ColumnType.UUID, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"))
                .isEqualTo(UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        assertThat(decode(ColumnType.BOOL, "t")).isEqualTo(true);
        assertThat(decode(ColumnType.BOOL, "f")).isEqualTo(false);
        assertThat(decode(ColumnType.TEXT, "\u00fc\u65e5")).isEqualTo("\u00fc\u65e5");
        assertThat(decode(new ColumnType.Unknown("inet"), "10.0.0.1/8")).isEqualTo("10.0.0.1/8");
    }

    @Test
    void arraysWithQuotingNullsNestingAndBounds() {
        ColumnType texts = new ColumnType.ArrayOf(ColumnType.TEXT);
        assertThat(decode(texts, "{a,\"b c\",NULL,\"NULL\",\"q\\\"x\",\"back\\\\slash\",\"\",null}"))
                .isEqualTo(Arrays.asList("a", "b c", null, "NULL", "q\"x", "back\\slash", "", null));
        ColumnType ints = new ColumnType.ArrayOf(ColumnType.INT32);
        assertThat(decode(ints, "{{1,2},{NULL,4}}")).isEqualTo(List.of(List.of(1, 2), Arrays.asList(null, 4)));
        assertThat(decode(ints, "[0:2]={7,8,9}")).isEqualTo(List.of(7, 8, 9));
        assertThat(decode(ints, "{}")).isEqualTo(List.of());
        assertThat(decode(new ColumnType.ArrayOf(ColumnType.TIMESTAMP), "{\"2024-01-01 00:00:00\",infinity}"))
                .isEqualTo(List.of(LocalDateTime.of(2024, 1, 1, 0, 0), SpecialValue.POSITIVE_INFINITY));
        assertThat((List<?>) decode(new ColumnType.ArrayOf(ColumnType.BYTES), "{\"\\\\x0102\"}"))
                .singleElement().satisfies(v -> assertThat((byte[]) v).containsExactly(1, 2));
        assertThatThrownBy(() -> decode(ints, "{1,2")).isInstanceOf(PgValueFormatException.class);
    }
}
