package io.echodb.adapters.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetadataColumnsTest {

    @Test
    void theFirstSetNoSourceColumnUsesIsChosen() {
        assertThat(MetadataColumns.avoiding(List.of("id", "v"))).isEqualTo(MetadataColumns.DEFAULT);
        assertThat(MetadataColumns.avoiding(List.of("id", "_echodb_synced_at")).version()).isEqualTo("_echodb_version_1");
        assertThat(MetadataColumns.avoiding(List.of("_echodb_version", "_echodb_is_deleted_1")).names())
                .containsExactly("_echodb_version_2", "_echodb_is_deleted_2", "_echodb_synced_at_2");
    }

    @Test
    void aTablesSetIsReadFromItsEngineDefinitionPlainOrReplicated() {
        Set<String> columns = Set.of("id", "_echodb_version", "_echodb_version_1", "_echodb_is_deleted_1", "_echodb_synced_at_1");
        assertThat(MetadataColumns.fromEngine("ReplacingMergeTree(_echodb_version_1, _echodb_is_deleted_1) ORDER BY id"
                + " SETTINGS index_granularity = 8192", columns, Set.of("id")))
                .isEqualTo(new MetadataColumns("_echodb_version_1", "_echodb_is_deleted_1", "_echodb_synced_at_1"));
        assertThat(MetadataColumns.fromEngine("ReplicatedReplacingMergeTree('/clickhouse/tables/{uuid}/{shard}', '{replica}',"
                + " `_echodb_version_1`, `_echodb_is_deleted_1`) ORDER BY id", columns, Set.of("id")).version())
                .isEqualTo("_echodb_version_1");
        assertThat(MetadataColumns.fromEngine("MergeTree ORDER BY id", columns, Set.of("id"))).isNull();
        assertThat(MetadataColumns.fromEngine("ReplacingMergeTree(v, d) ORDER BY id", Set.of("v", "d"), Set.of("id"))).isNull();
    }

    @Test
    void aMultisetTableIsRecognisedByItsSignInTheSortingKey() {
        Set<String> columns = Set.of("a", "_echodb_sign", "_echodb_version", "_echodb_is_deleted", "_echodb_synced_at");
        String engine = "ReplacingMergeTree(_echodb_version, _echodb_is_deleted) ORDER BY (_echodb_version, _echodb_sign)";
        MetadataColumns multiset = MetadataColumns.fromEngine(engine, columns, Set.of("_echodb_version", "_echodb_sign"));
        assertThat(multiset.isMultiset()).isTrue();
        assertThat(multiset.sign()).isEqualTo("_echodb_sign");
        assertThat(multiset.contains("_echodb_sign")).isTrue();
        // a keyed table whose source has a column called _echodb_sign is not taken for one
        assertThat(MetadataColumns.fromEngine(engine, columns, Set.of("a")).isMultiset()).isFalse();
        assertThat(MetadataColumns.avoiding(List.of("a", "_echodb_sign")).multiset().sign()).isEqualTo("_echodb_sign_1");
    }
}
