package io.echodb.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WatchPolicyTest {

    private static final String SEED_EXCLUDES =
            "spatial_ref_sys,geometry_columns,geography_columns,raster_columns,raster_overviews";

    @Test
    void parsesTheSeedsCommaListsTrimmingBlanks() {
        WatchPolicy p = WatchPolicy.fromCommaLists(" public , sales,,", " temp_* ,spatial_ref_sys ");

        assertThat(p.schemas()).containsExactlyInAnyOrder("public", "sales");
        assertThat(p.excludeGlobs()).containsExactly("temp_*", "spatial_ref_sys");
    }

    @Test
    void theSeedsDefaultsExcludePostgisBookkeeping() {
        WatchPolicy p = WatchPolicy.fromCommaLists("public", SEED_EXCLUDES);

        assertThat(p.excludeGlobs()).isEqualTo(WatchPolicy.DEFAULT_EXCLUDES);
        for (String t : WatchPolicy.DEFAULT_EXCLUDES) {
            assertThat(p.matches(TableRef.of("public", t))).as(t).isFalse();
        }
        assertThat(p.matches(TableRef.of("public", "users"))).isTrue();
    }

    @Test
    void tablesOfUnwatchedSchemasNeverMatch() {
        WatchPolicy p = WatchPolicy.fromCommaLists("public", "");

        assertThat(p.matches(TableRef.of("audit", "log"))).isFalse();
        assertThat(p.matches(TableRef.of("Public", "users"))).isFalse();
        assertThat(p.watchesSchema("public")).isTrue();
        assertThat(p.watchesSchema("audit")).isFalse();
    }

    @Test
    void aStarGlobMatchesAnyRunOfCharacters() {
        WatchPolicy p = WatchPolicy.fromCommaLists("public", "temp_*");

        assertThat(p.isExcluded(TableRef.of("public", "temp_import"))).isTrue();
        assertThat(p.isExcluded(TableRef.of("public", "temp_"))).isTrue();
        assertThat(p.isExcluded(TableRef.of("public", "temp"))).isFalse();
        assertThat(p.isExcluded(TableRef.of("public", "my_temp_x"))).isFalse();
        assertThat(p.isExcluded(TableRef.of("public", "TEMP_x"))).isFalse();
    }

    @Test
    void aQuestionMarkMatchesExactlyOneCharacter() {
        WatchPolicy p = WatchPolicy.fromCommaLists("public", "log_?");

        assertThat(p.isExcluded(TableRef.of("public", "log_1"))).isTrue();
        assertThat(p.isExcluded(TableRef.of("public", "log_12"))).isFalse();
        assertThat(p.isExcluded(TableRef.of("public", "log_"))).isFalse();
    }

    @Test
    void aGlobWithADotMatchesTheSchemaQualifiedName() {
        WatchPolicy p = WatchPolicy.fromCommaLists("public,audit", "audit.*,public.tmp_?");

        assertThat(p.matches(TableRef.of("audit", "anything"))).isFalse();
        assertThat(p.matches(TableRef.of("public", "anything"))).isTrue();
        assertThat(p.matches(TableRef.of("public", "tmp_1"))).isFalse();
        assertThat(p.matches(TableRef.of("audit2", "x"))).isFalse();
        // A bare glob matches the table name in every watched schema.
        WatchPolicy bare = WatchPolicy.fromCommaLists("public,audit", "tmp_?");
        assertThat(bare.matches(TableRef.of("audit", "tmp_1"))).isFalse();
        assertThat(bare.matches(TableRef.of("public", "tmp_1"))).isFalse();
    }

    @Test
    void regexCharactersInGlobsAreLiterals() {
        WatchPolicy p = WatchPolicy.fromCommaLists("public", "a+b,(x)*,[y]");

        assertThat(p.isExcluded(TableRef.of("public", "a+b"))).isTrue();
        assertThat(p.isExcluded(TableRef.of("public", "aab"))).isFalse();
        assertThat(p.isExcluded(TableRef.of("public", "(x)_1"))).isTrue();
        assertThat(p.isExcluded(TableRef.of("public", "x_1"))).isFalse();
        assertThat(p.isExcluded(TableRef.of("public", "[y]"))).isTrue();
        assertThat(p.isExcluded(TableRef.of("public", "y"))).isFalse();
    }

    @Test
    void withOneSchemaTargetsAndMirrorsUseTheBareTableName() {
        WatchPolicy p = WatchPolicy.fromCommaLists("public", "");
        MirrorSpec spec = p.specFor(TableRef.of("public", "users"));

        assertThat(p.qualifyTargetNames()).isFalse();
        assertThat(spec.name()).hasToString("users_mirror");
        assertThat(spec.targetTable()).isEqualTo("users");
        assertThat(spec.source()).isEqualTo(TableRef.of("public", "users"));
    }

    @Test
    void withSeveralSchemasTargetsAndMirrorsAreSchemaPrefixed() {
        WatchPolicy p = WatchPolicy.fromCommaLists("public,sales", "");

        assertThat(p.specFor(TableRef.of("sales", "orders")).name()).hasToString("sales_orders_mirror");
        assertThat(p.specFor(TableRef.of("sales", "orders")).targetTable()).isEqualTo("sales_orders");
        assertThat(p.specFor(TableRef.of("public", "orders")).targetTable()).isEqualTo("public_orders");
    }

    @Test
    void invalidListsAreRejectedNamingTheSetting() {
        assertThatThrownBy(() -> WatchPolicy.fromCommaLists(" , ", "")).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("SYNC_SCHEMA");
        assertThatThrownBy(() -> new WatchPolicy(Set.of(" "), List.of())).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("SYNC_SCHEMA");
        assertThatThrownBy(() -> new WatchPolicy(Set.of("public"), List.of(" "))).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("EXCLUDED_TABLES");
    }
}
