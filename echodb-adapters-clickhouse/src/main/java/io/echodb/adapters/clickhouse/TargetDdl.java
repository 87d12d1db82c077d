package io.echodb.adapters.clickhouse;

import static io.echodb.adapters.clickhouse.ClickHouseSql.identifier;
import static io.echodb.adapters.clickhouse.ClickHouseSql.onCluster;

import io.echodb.core.port.out.TargetLayout;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The statements that shape target tables. With a cluster every statement runs {@code ON CLUSTER} and tables use
 * {@code ReplicatedReplacingMergeTree} with the server's default replication path ({@code default_replica_path} /
 * {@code default_replica_name}, normally {@code /clickhouse/tables/{uuid}/{shard}} and {@code {replica}}).
 */
final class TargetDdl {

    private final String database;
    private final String cluster;

    TargetDdl(String database, String cluster) {
        this.database = database;
        this.cluster = cluster;
    }

    private static final ChType VERSION_TYPE = ChType.parse("UInt128");
    private static final ChType DELETED_TYPE = ChType.parse("UInt8");
    private static final ChType SIGN_TYPE = ChType.parse("Int8");
    private static final ChType SYNCED_AT_TYPE = ChType.parse("DateTime64(3, 'UTC')");

    /** The sorting key of a table {@link #createTable} creates: a multiset's row images each stay a row of their own. */
    private static List<String> sortingKey(List<String> keyColumns, MetadataColumns metadata) {
        List<String> order = new java.util.ArrayList<>(keyColumns);
        if (metadata.isMultiset()) {
            // ReplacingMergeTree then only folds repeated writes of the same change.
            order.add(metadata.version());
            order.add(metadata.sign());
        }
        return order;
    }

    /** The table {@link #createTable} with the same arguments creates, as ClickHouse then describes it. */
    static TargetTable created(String target, Map<String, ChType> columns, List<String> keyColumns,
                               MetadataColumns metadata) {
        Map<String, ChType> all = new java.util.LinkedHashMap<>(columns);
        all.put(metadata.version(), VERSION_TYPE);
        all.put(metadata.deleted(), DELETED_TYPE);
        if (metadata.isMultiset()) {
            all.put(metadata.sign(), SIGN_TYPE);
        }
        all.put(metadata.syncedAt(), SYNCED_AT_TYPE);
        return new TargetTable(target, all, new java.util.HashSet<>(sortingKey(keyColumns, metadata)), metadata);
    }

    /** Whether DDL runs ON CLUSTER. */
    boolean clustered() {
        return cluster != null;
    }

    String table(String target) {
        return ClickHouseSql.table(database, target);
    }

    /**
     * {@code columns}: source column name → ClickHouse type, in source order; metadata columns are appended.
     * {@code keyColumns}: the sorting key; a multiset table ({@link MetadataColumns#isMultiset}) is sorted by these
     * columns, then version and sign.
     * {@code layout}: the partition expression from the table settings, and hard deletes: ClickHouse's cleanup merges
     * ({@code enable_replacing_merge_with_cleanup_for_min_age_to_force_merge}) merge each partition whose parts are
     * all older than {@code purgeAfter} into one part and leave out the keys whose last version is a deletion. They
     * start switched off ({@link #purge}): the copy that fills the table switches them on when it is done.
     */
    String createTable(String target, Map<String, ChType> columns, List<String> keyColumns, boolean nullableKey,
                       TargetLayout layout, MetadataColumns metadata) {
        String partitionBy = layout.partitionBy();
        List<String> settings = new java.util.ArrayList<>();
        if (nullableKey) {
            settings.add("allow_nullable_key = 1");
        }
        if (layout.hardDeletes()) {
            settings.add("allow_experimental_replacing_merge_with_cleanup = 1");
            settings.add("min_age_to_force_merge_on_partition_only = 1");
            settings.add("min_age_to_force_merge_seconds = " + layout.purgeAfter().toSeconds());
            settings.add(purge(false).substring("MODIFY SETTING ".length()));
        }
        String defs = columns.entrySet().stream()
                .map(e -> "    " + identifier(e.getKey()) + " " + e.getValue().sql())
                .collect(Collectors.joining(",\n"));
        String engine = (cluster == null ? "ReplacingMergeTree" : "ReplicatedReplacingMergeTree")
                + "(" + identifier(metadata.version()) + ", " + identifier(metadata.deleted()) + ")";
        List<String> order = sortingKey(keyColumns, metadata);
        // On a cluster some replicas may have it already; alone, an existing table must fail the statement (see the sink).
        return "CREATE TABLE " + (clustered() ? "IF NOT EXISTS " : "") + table(target) + onCluster(cluster) + "\n(\n" + defs + ",\n"
                + "    " + identifier(metadata.version()) + " " + VERSION_TYPE.sql() + ",\n"
                + "    " + identifier(metadata.deleted()) + " " + DELETED_TYPE.sql() + ",\n"
                + (metadata.isMultiset() ? "    " + identifier(metadata.sign()) + " " + SIGN_TYPE.sql() + ",\n" : "")
                + "    " + identifier(metadata.syncedAt()) + " " + SYNCED_AT_TYPE.sql() + " DEFAULT now64(3)\n"
                + ")\nENGINE = " + engine + "\n"
                + (partitionBy == null ? "" : "PARTITION BY " + partitionBy + "\n")
                + "ORDER BY (" + ClickHouseSql.identifiers(order) + ")"
                + (settings.isEmpty() ? "" : "\nSETTINGS " + String.join(", ", settings));
    }

    /** Switches hard deletes' cleanup merges on or off (an ALTER action). */
    static String purge(boolean on) {
        return "MODIFY SETTING enable_replacing_merge_with_cleanup_for_min_age_to_force_merge = " + (on ? 1 : 0);
    }

    String alter(String target, List<String> actions) {
        return "ALTER TABLE " + table(target) + onCluster(cluster) + " " + String.join(", ", actions);
    }

    static String addColumn(String column, ChType type) {
        return "ADD COLUMN IF NOT EXISTS " + identifier(column) + " " + type.sql();
    }

    static String modifyColumn(String column, ChType type) {
        return "MODIFY COLUMN " + identifier(column) + " " + type.sql();
    }

    static String dropColumn(String column) {
        return "DROP COLUMN IF EXISTS " + identifier(column);
    }

    String truncate(String target) {
        return "TRUNCATE TABLE IF EXISTS " + table(target) + onCluster(cluster);
    }

    /** Wait for the deletion to be applied (on every replica); a subquery in the condition is allowed. */
    static final Map<String, String> DELETE_SETTINGS = Map.of("mutations_sync", "2", "lightweight_deletes_sync", "2",
            "allow_nondeterministic_mutations", "1");

    /** A lightweight delete of every row, taking effect only where {@code condition} holds when it runs. */
    String deleteWhere(String target, String condition) {
        return "DELETE FROM " + table(target) + onCluster(cluster) + " WHERE " + condition;
    }

    String drop(String target) {
        return "DROP TABLE IF EXISTS " + table(target) + onCluster(cluster) + " SYNC";
    }

    String rename(String from, String to) {
        return "RENAME TABLE " + table(from) + " TO " + table(to) + onCluster(cluster);
    }

    String optimizeFinal(String target) {
        return "OPTIMIZE TABLE " + table(target) + onCluster(cluster) + " FINAL";
    }
}
