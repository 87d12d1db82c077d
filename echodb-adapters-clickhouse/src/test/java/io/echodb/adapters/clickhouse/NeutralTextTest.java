package io.echodb.adapters.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.PgInterval;
import io.echodb.core.schema.SpecialValue;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import org.junit.jupiter.api.Test;

class NeutralTextTest {

    @Test
    void intervalsSurviveTheirIsoForm() {
        PgInterval[] samples = {
            new PgInterval(0, 0, 0), new PgInterval(14, 3, 14_706_000_007L), new PgInterval(-14, -3, -14_706_000_007L),
            new PgInterval(1, -1, 500_000), new PgInterval(0, 0, -500_000), new PgInterval(0, 0, 86_400_000_000L * 3),
            new PgInterval(Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE / 2),
        };
        for (PgInterval iv : samples) {
            assertThat(NeutralText.parseInterval(iv.toIso())).as(iv.toIso()).isEqualTo(iv);
        }
    }

    @Test
    void timesAreWrittenAsTheFormatterWritesThem() {
        java.util.Random random = new java.util.Random(20261204);
        java.util.List<LocalTime> samples = new java.util.ArrayList<>(java.util.List.of(LocalTime.MIDNIGHT, LocalTime.MAX,
                LocalTime.NOON, LocalTime.of(9, 5, 7, 1_000), LocalTime.of(23, 59, 59, 999_999_000)));
        for (int i = 0; i < 10_000; i++) {
            samples.add(LocalTime.ofNanoOfDay(Math.floorMod(random.nextLong(), 86_400_000_000_000L)));
        }
        for (LocalTime t : samples) {
            assertThat(NeutralText.time(t)).as(t.toString()).isEqualTo(NeutralText.TIME.format(t));
        }
    }

    @Test
    void specialValuesUsePostgresSpelling() {
        assertThat(NeutralText.render(ColumnType.NUMERIC, SpecialValue.NAN)).isEqualTo("NaN");
        assertThat(NeutralText.render(ColumnType.NUMERIC, SpecialValue.POSITIVE_INFINITY)).isEqualTo("Infinity");
        assertThat(NeutralText.render(ColumnType.NUMERIC, SpecialValue.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
        assertThat(NeutralText.render(ColumnType.DATE, SpecialValue.POSITIVE_INFINITY)).isEqualTo("infinity");
        assertThat(NeutralText.render(ColumnType.FLOAT64, Double.NaN)).isEqualTo("NaN");
        assertThat(NeutralText.parse(ColumnType.NUMERIC, "-Infinity")).isEqualTo(SpecialValue.NEGATIVE_INFINITY);
        assertThat(NeutralText.parse(ColumnType.TIMESTAMP, "infinity")).isEqualTo(SpecialValue.POSITIVE_INFINITY);
        assertThatThrownBy(() -> NeutralText.render(ColumnType.DATE, SpecialValue.NAN)).isInstanceOf(BadValueException.class);
    }

    @Test
    void scalarsRoundTripThroughText() {
        assertRoundTrip(ColumnType.TIME, LocalTime.of(23, 59, 59, 999_999_000), "23:59:59.999999");
        assertRoundTrip(ColumnType.TIME, LocalTime.of(1, 2, 3), "01:02:03.000000");
        assertRoundTrip(ColumnType.NUMERIC, new BigDecimal("-12345678901234567890.000000000000000000001"),
                "-12345678901234567890.000000000000000000001");
        assertRoundTrip(ColumnType.TIMESTAMP, LocalDateTime.of(2024, 2, 29, 12, 0, 0, 123_456_000), "2024-02-29 12:00:00.123456");
        assertRoundTrip(ColumnType.TIMESTAMPTZ, Instant.parse("2024-02-29T12:00:00.000001Z"), "2024-02-29 12:00:00.000001");
        assertRoundTrip(ColumnType.DATE, LocalDate.of(2024, 1, 31), "2024-01-31");
        assertRoundTrip(ColumnType.BOOL, true, "true");
        assertRoundTrip(ColumnType.INT32, -7, "-7");
        assertRoundTrip(ColumnType.FLOAT32, Float.NEGATIVE_INFINITY, "-Infinity");
    }

    private static void assertRoundTrip(ColumnType type, Object value, String text) {
        assertThat(NeutralText.render(type, value)).isEqualTo(text);
        assertThat(NeutralText.parse(type, text)).isEqualTo(value);
    }
}
