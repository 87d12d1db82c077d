package io.echodb.core.service.checksum;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.schema.ColumnType;
import io.echodb.core.testing.CanonicalCases;
import io.echodb.core.testing.CanonicalCases.Case;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CanonicalFormTest {

    static Stream<Case> cases() {
        return CanonicalCases.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersEachCaseAsPinned(Case c) {
        assertThat(CanonicalForm.value(c.type(), c.value())).isEqualTo(c.canonical());
    }

    @Test
    void theCasesCoverEveryTypeTheEngineMirrors() {
        Set<Class<?>> covered = new HashSet<>();
        for (Case c : CanonicalCases.all()) {
            covered.add(c.type().getClass());
            if (c.type() instanceof ColumnType.ArrayOf a) {
                covered.add(a.element().getClass());
            }
        }
        assertThat(covered).containsAll(Arrays.asList(ColumnType.class.getPermittedSubclasses()));
    }

    @Test
    void keyAndRowHashesAreTheFirstBitsOfMd5AsPostgresAndClickHouseComputeThem() {
        // md5('abc') = 900150983cd24fb0d6963f7d28e17f72: PostgreSQL ('x0'||substr(md5(t),1,15))::bit(64)::bigint and
        // ClickHouse bitShiftRight(reinterpretAsUInt64(reverse(substring(MD5(t),1,8))), 4) both give 648541476951500027.
        assertThat(CanonicalForm.keyHash("abc")).isEqualTo(648541476951500027L).isEqualTo(0x900150983cd24fbL);
        assertThat(CanonicalForm.rowHash("abc")).isEqualTo(0x900150983cd24fb0L).isEqualTo(-8070080442485551184L);
        assertThat(CanonicalForm.keyHash("")).isEqualTo(0xd41d8cd98f00b20L);
    }

    @Test
    void rowsJoinValuesWithTheSeparatorAndNullIsItsOwnMarker() {
        String text = CanonicalForm.row(List.of(ColumnType.INT32, ColumnType.TEXT, ColumnType.TEXT, ColumnType.TEXT),
                Arrays.asList(7, null, "", "NULL"));

        assertThat(text).isEqualTo("7|\\N||NULL");
    }

    @Test
    void escapingKeepsValuesApart() {
        String oneValue = CanonicalForm.row(List.of(ColumnType.TEXT), List.of("a|b"));
        String twoValues = CanonicalForm.row(List.of(ColumnType.TEXT, ColumnType.TEXT), List.of("a", "b"));

        assertThat(oneValue).isEqualTo("a\\|b").isNotEqualTo(twoValues);
        assertThat(CanonicalForm.escape("plain")).isSameAs("plain");
        assertThat(CanonicalForm.escape("\\N")).isEqualTo("\\\\N").isNotEqualTo(CanonicalForm.NULL);
    }

    @Test
    void decimalsLoseTrailingZerosOnly() {
        assertThat(CanonicalForm.trimDecimal("10.00")).isEqualTo("10");
        assertThat(CanonicalForm.trimDecimal("100")).isEqualTo("100");
        assertThat(CanonicalForm.trimDecimal("0.0")).isEqualTo("0");
        assertThat(CanonicalForm.trimDecimal("-0.50")).isEqualTo("-0.5");
        assertThat(CanonicalForm.trimDecimal("1.05")).isEqualTo("1.05");
    }
}
