package io.echodb.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MirrorNameTest {

    private static MirrorName of(String table) {
        return MirrorName.forTable(TableRef.of("public", table), false);
    }

    @Test
    void followsTheSeedsNamingForPlainTables() {
        assertThat(of("users")).hasToString("users_mirror");
        assertThat(of("order_items")).hasToString("order_items_mirror");
        assertThat(MirrorName.forTable(TableRef.of("sales", "orders"), true)).hasToString("sales_orders_mirror");
    }

    @Test
    void namesThatAreNotPlainIdentifiersAreFoldedAndHashedSoTheyNeverCollide() {
        MirrorName upper = of("Users");
        MirrorName lower = of("users");
        MirrorName quoted = of("us\"ers");
        MirrorName spaced = of("us ers");
        MirrorName underscored = of("us_ers");

        assertThat(upper.value()).startsWith("users_").endsWith("_mirror").isNotEqualTo(lower.value());
        assertThat(quoted.value()).startsWith("us_ers_").endsWith("_mirror");
        assertThat(Set.of(quoted, spaced, underscored)).hasSize(3);
    }

    @Test
    void unicodeNamesGiveValidDistinctNames() {
        MirrorName uber = of("Übersicht");
        MirrorName kanji = of("注文");
        MirrorName kanji2 = of("顧客");

        assertThat(uber.value()).matches("[a-z_][a-z0-9_]*_mirror").contains("bersicht");
        assertThat(kanji.value()).matches("[a-z_][a-z0-9_]*_mirror");
        assertThat(kanji).isNotEqualTo(kanji2);
    }

    @Test
    void aLeadingDigitGetsAPrefix() {
        assertThat(of("2024_sales").value()).startsWith("t_2024_sales_").endsWith("_mirror");
    }

    @Test
    void longNamesAreCutTo63CharactersAndStayDistinct() {
        String prefix = "x".repeat(60);
        MirrorName a = of(prefix + "aaa");
        MirrorName b = of(prefix + "bbb");
        MirrorName longest = of("y".repeat(63));

        for (MirrorName n : List.of(a, b, longest)) {
            assertThat(n.value()).hasSizeLessThanOrEqualTo(63).endsWith("_mirror");
        }
        assertThat(a).isNotEqualTo(b);
        // Up to 56 characters the seed's name fits unchanged.
        assertThat(of("z".repeat(56))).hasToString("z".repeat(56) + "_mirror");
        assertThat(of("z".repeat(57)).value()).hasSizeLessThanOrEqualTo(63).isNotEqualTo("z".repeat(57) + "_mirror");
    }

    @Test
    void schemaQualifiedNamesOfLongSchemasAndTablesStayValid() {
        MirrorName n = MirrorName.forTable(TableRef.of("s".repeat(63), "t".repeat(63)), true);

        assertThat(n.value()).hasSizeLessThanOrEqualTo(63).endsWith("_mirror");
    }

    @Test
    void manyDifferentTablesGetDifferentNames() {
        Set<MirrorName> names = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            names.add(of("Table " + i));
        }
        assertThat(names).hasSize(2000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Users_mirror", "1abc", "a-b", "a b", "é"})
    void onlyLowerCaseIdentifiersAreValidNames(String value) {
        assertThatThrownBy(() -> new MirrorName(value)).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("mirror name");
    }

    @Test
    void theValidityLimitIs63Characters() {
        assertThat(new MirrorName("a".repeat(63)).value()).hasSize(63);
        assertThatThrownBy(() -> new MirrorName("a".repeat(64))).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> new MirrorName(null)).isInstanceOf(InvalidValueException.class);
    }

    @Test
    void namesSortAlphabetically() {
        assertThat(new MirrorName("a_mirror")).isLessThan(new MirrorName("b_mirror"));
    }
}
