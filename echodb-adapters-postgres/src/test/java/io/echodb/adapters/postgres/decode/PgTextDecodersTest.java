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
