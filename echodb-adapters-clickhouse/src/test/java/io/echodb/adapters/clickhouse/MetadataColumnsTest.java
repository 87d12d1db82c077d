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
                + " SETTINGS index_granularity = 8192", columns))
                .isEqualTo(new MetadataColumns("_echodb_version_1", "_echodb_is_deleted_1", "_echodb_synced_at_1"));
        assertThat(MetadataColumns.fromEngine("ReplicatedReplacingMergeTree('/clickhouse/tables/{uuid}/{shard}', '{replica}',"
                + " `_echodb_version_1`, `_echodb_is_deleted_1`) ORDER BY id", columns).version())
                .isEqualTo("_echodb_version_1");
        assertThat(MetadataColumns.fromEngine("MergeTree ORDER BY id", columns)).isNull();
        assertThat(MetadataColumns.fromEngine("ReplacingMergeTree(v, d) ORDER BY id", Set.of("v", "d"))).isNull();
    }
}
