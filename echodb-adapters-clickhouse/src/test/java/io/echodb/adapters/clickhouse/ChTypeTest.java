package io.echodb.adapters.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChTypeTest {

    @Test
    void parsesWhatSystemColumnsPrints() {
        assertThat(ChType.parse("Nullable(Decimal(10, 2))")).isEqualTo(new ChType.Nullable(new ChType.Decimal(10, 2)));
        assertThat(ChType.parse("DateTime64(6, 'UTC')")).isEqualTo(new ChType.DateTime64(6, "UTC"));
        assertThat(ChType.parse("DateTime64(6)")).isEqualTo(new ChType.DateTime64(6, null));
        assertThat(ChType.parse("Array(LowCardinality(Nullable(String)))")).isEqualTo(
                new ChType.Array(new ChType.LowCardinality(new ChType.Nullable(ChType.STRING))));
        assertThat(ChType.parse("Array(Array(Nullable(Int32)))")).isEqualTo(
                new ChType.Array(new ChType.Array(new ChType.Nullable(ChType.INT32))));
        assertThat(ChType.parse("Decimal128(4)")).isEqualTo(new ChType.Decimal(38, 4));
        assertThat(ChType.parse("JSON(max_dynamic_paths=16)")).isEqualTo(ChType.JSON);
        assertThat(ChType.parse("UInt128")).isEqualTo(ChType.UINT128);
        assertThat(ChType.parse("Map(String, UInt64)")).isInstanceOf(ChType.Other.class);
        assertThat(ChType.parse("Tuple(a Int32)")).isInstanceOf(ChType.Other.class);
    }

    @Test
    void printsWhatItParses() {
        for (String t : new String[] {"Nullable(Decimal(76, 20))", "DateTime64(6, 'UTC')", "Array(Nullable(UUID))",
                "LowCardinality(Nullable(String))", "Date32", "Bool"}) {
            assertThat(ChType.parse(t).sql()).isEqualTo(t);
        }
    }

    @Test
    void nullableFollowsClickHouseRules() {
        assertThat(ChType.nullable(ChType.INT32).sql()).isEqualTo("Nullable(Int32)");
        assertThat(ChType.nullable(new ChType.LowCardinality(ChType.STRING)).sql()).isEqualTo("LowCardinality(Nullable(String))");
        assertThat(ChType.nullable(new ChType.Array(ChType.INT32)).sql()).isEqualTo("Array(Int32)");
        assertThat(ChType.nonNullable(ChType.parse("LowCardinality(Nullable(String))")).sql()).isEqualTo("LowCardinality(String)");
        assertThat(ChType.parse("LowCardinality(Nullable(String))").isNullable()).isTrue();
        assertThat(ChType.parse("Nullable(Int8)").base()).isEqualTo(new ChType.Simple(ChType.Kind.INT8));
    }
}
