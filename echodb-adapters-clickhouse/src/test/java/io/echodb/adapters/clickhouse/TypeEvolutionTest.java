package io.echodb.adapters.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TypeEvolutionTest {

    @Test
    void safeWideningsModifyTheColumn() {
        assertModify("Int16", "Int32");
        assertModify("Int32", "Int64");
        assertModify("Int16", "Int64");
        assertModify("Float32", "Float64");
        assertModify("Nullable(Decimal(10, 2))", "Nullable(Decimal(12, 2))");
        assertModify("Nullable(Decimal(10, 2))", "Nullable(Decimal(14, 4))");
        assertModify("Int32", "String");
        assertModify("Date32", "Nullable(String)");
        assertModify("Int32", "Nullable(Int32)");
        assertModify("Array(Nullable(Int16))", "Array(Nullable(Int32))");
    }

    @Test
    void aTargetThatAlreadyHoldsTheValuesIsKept() {
        assertKeep("Int64", "Int32");
        assertKeep("Nullable(Int32)", "Int32");
        assertKeep("String", "Int32");
        assertKeep("String", "LowCardinality(String)");
        assertKeep("LowCardinality(String)", "String");
        assertKeep("Nullable(Decimal(20, 4))", "Nullable(Decimal(10, 2))");
        assertKeep("Float64", "Float32");
    }

    @Test
    void everythingElseIsIncompatibleAndNamesBothTypes() {
        TypeEvolution.Decision d = TypeEvolution.decide("col", ChType.parse("Int32"), ChType.parse("UUID"), false);
        assertThat(d).isInstanceOf(TypeEvolution.Incompatible.class);
        assertThat(((TypeEvolution.Incompatible) d).reason()).contains("`col`", "Int32", "UUID");

        assertIncompatible("Nullable(Decimal(10, 2))", "Nullable(Decimal(10, 4))"); // fewer integer digits
        assertIncompatible("Int64", "Float64");
        assertIncompatible("Array(Nullable(Int32))", "String");
        assertIncompatible("DateTime64(6)", "DateTime64(6, 'UTC')");
    }

    @Test
    void sortingKeyColumnsCannotBeAltered() {
        TypeEvolution.Decision d = TypeEvolution.decide("id", ChType.parse("Int32"), ChType.parse("Int64"), true);
        assertThat(d).isInstanceOf(TypeEvolution.Incompatible.class);
        assertThat(((TypeEvolution.Incompatible) d).reason()).contains("`id`", "Int32", "Int64", "key");
        assertThat(TypeEvolution.decide("id", ChType.parse("Int64"), ChType.parse("Int32"), true))
                .isInstanceOf(TypeEvolution.Keep.class);
    }

    private static void assertModify(String from, String to) {
        assertThat(TypeEvolution.decide("c", ChType.parse(from), ChType.parse(to), false))
                .as(from + " -> " + to).isEqualTo(new TypeEvolution.Modify(ChType.parse(to)));
    }

    private static void assertKeep(String current, String wanted) {
        assertThat(TypeEvolution.decide("c", ChType.parse(current), ChType.parse(wanted), false))
                .as(current + " keeps " + wanted).isInstanceOf(TypeEvolution.Keep.class);
    }

    private static void assertIncompatible(String current, String wanted) {
        assertThat(TypeEvolution.decide("c", ChType.parse(current), ChType.parse(wanted), false))
                .as(current + " vs " + wanted).isInstanceOf(TypeEvolution.Incompatible.class);
    }
}
