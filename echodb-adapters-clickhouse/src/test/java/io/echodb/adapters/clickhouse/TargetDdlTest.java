package io.echodb.adapters.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.DeleteMode;
import io.echodb.core.port.out.TargetLayout;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Statement shapes; the single-server forms run against the engine in ClickHouseChangeSinkTest, the clustered ones here only. */
class TargetDdlTest {

    private final TargetDdl single = new TargetDdl("db", null);
    private final TargetDdl clustered = new TargetDdl("db", "main `cluster`");

    @Test
    void aClusterMakesEveryStatementOnClusterAndTheEngineReplicated() {
        Map<String, ChType> columns = new LinkedHashMap<>();
        columns.put("id", ChType.INT64);
        columns.put("v", ChType.nullable(ChType.STRING));

        String create = clustered.createTable("t", columns, List.of("id"), false, TargetLayout.DEFAULT, MetadataColumns.DEFAULT);

        assertThat(create).startsWith("CREATE TABLE IF NOT EXISTS `db`.`t` ON CLUSTER `main \\`cluster\\``")
                .contains("ENGINE = ReplicatedReplacingMergeTree(`_echodb_version`, `_echodb_is_deleted`)")
                .contains("`_echodb_synced_at` DateTime64(3, 'UTC') DEFAULT now64(3)")
                .endsWith("ORDER BY (`id`)");
        assertThat(clustered.alter("t", List.of(TargetDdl.addColumn("x", ChType.INT32))))
                .isEqualTo("ALTER TABLE `db`.`t` ON CLUSTER `main \\`cluster\\`` ADD COLUMN IF NOT EXISTS `x` Int32");
        assertThat(clustered.truncate("t")).isEqualTo("TRUNCATE TABLE IF EXISTS `db`.`t` ON CLUSTER `main \\`cluster\\``");
        assertThat(clustered.drop("t")).isEqualTo("DROP TABLE IF EXISTS `db`.`t` ON CLUSTER `main \\`cluster\\`` SYNC");
        assertThat(clustered.optimizeFinal("t")).isEqualTo("OPTIMIZE TABLE `db`.`t` ON CLUSTER `main \\`cluster\\`` FINAL");
    }

    @Test
    void tableSettingsChooseTheSortingKeyOrderAndThePartition() {
        Map<String, ChType> columns = new LinkedHashMap<>();
        columns.put("id", ChType.INT64);
        columns.put("tenant", ChType.INT32);
        columns.put("at", ChType.parse("DateTime64(6, 'UTC')"));

        String create = single.createTable("t", columns, List.of("tenant", "at", "id"), false,
                new TargetLayout("toYYYYMM(`at`)", DeleteMode.HARD, Duration.ofMinutes(10)), MetadataColumns.DEFAULT);

        assertThat(create).contains("PARTITION BY toYYYYMM(`at`)\nORDER BY (`tenant`, `at`, `id`)")
                .endsWith("SETTINGS allow_experimental_replacing_merge_with_cleanup = 1,"
                        + " min_age_to_force_merge_on_partition_only = 1, min_age_to_force_merge_seconds = 600,"
                        + " enable_replacing_merge_with_cleanup_for_min_age_to_force_merge = 0");
        assertThat(single.createTable("t", columns, List.of("id"), false, TargetLayout.DEFAULT, MetadataColumns.DEFAULT)).doesNotContain("PARTITION BY");
    }

    @Test
    void withoutAClusterTheEngineIsPlainAndNullableKeysAreAllowedOnlyWhenAsked() {
        Map<String, ChType> columns = Map.of("k", ChType.nullable(ChType.INT32));

        assertThat(single.createTable("t", columns, List.of("k"), true, TargetLayout.DEFAULT, MetadataColumns.DEFAULT))
                .contains("ENGINE = ReplacingMergeTree(").doesNotContain("ON CLUSTER")
                .endsWith("SETTINGS allow_nullable_key = 1");
        assertThat(single.createTable("t", columns, List.of("k"), false, TargetLayout.DEFAULT, MetadataColumns.DEFAULT)).doesNotContain("allow_nullable_key");
    }

    @Test
    void identifiersAndLiteralsAreEscaped() {
        assertThat(ClickHouseSql.identifier("a`b\\c")).isEqualTo("`a\\`b\\\\c`");
        assertThat(ClickHouseSql.literal("it's \\ ok")).isEqualTo("'it\\'s \\\\ ok'");
        assertThat(ClickHouseSql.table("d b", "t`")).isEqualTo("`d b`.`t\\``");
    }
}
