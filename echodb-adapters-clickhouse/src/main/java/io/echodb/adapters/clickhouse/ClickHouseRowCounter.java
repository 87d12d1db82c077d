package io.echodb.adapters.clickhouse;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.RowCount;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.AsOfCount;
import io.echodb.core.port.out.RowCounter;
import io.echodb.core.port.out.RowCounterAsOf;
import java.util.List;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;

/**
 * Counts the live rows of a mirrored table in ClickHouse: {@code SELECT count() FROM t FINAL}, which keeps only the
 * highest version of each key and hides delete markers. As of a source position ({@link #countBefore}, native engine
 * layout only) each key's latest version before that position decides, the versions carrying the commit LSN in their
 * high 64 bits; when no stored version is from that position on, that is what {@code FINAL} reads, which is cheaper.
 * A key-less table's multiset target is counted as the sum of its row images' signs. Throws {@link ClickHouseRejectedException} when the target
 * table does not exist, {@link io.echodb.core.port.out.SinkUnavailableException} when ClickHouse cannot be reached.
 */
public final class ClickHouseRowCounter implements RowCounter, RowCounterAsOf {

    private final ClickHouseGateway gateway;
    private final Function<TableRef, String> targetTable;
    private final Clock clock;

    /**
     * @param targetTable the ClickHouse table that mirrors a source table (e.g. {@code WatchPolicy::targetTableFor})
     */
    public ClickHouseRowCounter(ClickHouseGateway gateway, Function<TableRef, String> targetTable, Clock clock) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.targetTable = Objects.requireNonNull(targetTable, "targetTable");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public RowCount count(TableRef table) {
        String target = targetTable.apply(table);
        return new RowCount(table, finalCount(target, MetadataColumns.read(gateway, target)), clock.instant());
    }

    /** The rows {@code FINAL} shows; a key-less table's +1 and −1 row images count as their sum. */
    private long finalCount(String target, MetadataColumns metadata) {
        String counted = metadata != null && metadata.isMultiset()
                ? "sum(" + ClickHouseSql.identifier(metadata.sign()) + ")" : "count()";
        Object n = gateway.query("SELECT " + counted + " FROM " + ClickHouseSql.table(gateway.database(), target) + " FINAL",
                "count rows of " + target).single();
        return ((Number) n).longValue();
    }

    @Override
    public AsOfCount countBefore(TableRef table, Lsn position) {
        String target = targetTable.apply(table);
        String t = ClickHouseSql.table(gateway.database(), target);
        MetadataColumns metadata = MetadataColumns.read(gateway, target);
        if (metadata == null) {
            metadata = MetadataColumns.DEFAULT; // no such table (yet): the query reports it
        }
        String version = ClickHouseSql.identifier(metadata.version());
        String deleted = ClickHouseSql.identifier(metadata.deleted());
        String bound = "bitShiftLeft(toUInt128(" + Long.toUnsignedString(position.value()) + "), 64)";
        if (metadata.isMultiset()) {
            // Each row image is its own row (version and sign are its key): the images before the position are the
            // table as it was, exactly.
            Object n = gateway.query("SELECT sum(" + ClickHouseSql.identifier(metadata.sign()) + ") FROM " + t
                    + " FINAL WHERE " + version + " < " + bound, "count rows of " + target + " before " + position).single();
            return AsOfCount.exactly(((Number) n).longValue());
        }
        // FINAL stands for "as of" only if no version from the position on existed while it counted: look before (to
        // skip a FINAL count that cannot be used) and again after it (a version written meanwhile would slip in)
        if (!anyVersionFrom(t, target, version, bound, position)) {
            long finalCount = finalCount(target, metadata);
            if (!anyVersionFrom(t, target, version, bound, position)) {
                return AsOfCount.exactly(finalCount);
            }
        }
        List<String> keys = sortingKey(target);
        // keys with no version before the position: inserted after it, or changed after it with the older version merged
        // away by ReplacingMergeTree; their state at the position is undecided
        Object[] n = gateway.query("SELECT countIf(n > 0 AND d = 0), countIf(n = 0) FROM (SELECT argMaxIf(" + deleted + ", "
                        + version + ", " + version + " < " + bound + ") AS d, countIf(" + version + " < " + bound + ") AS n FROM "
                        + t + " GROUP BY " + ClickHouseSql.identifiers(keys) + ")",
                "count rows of " + target + " before " + position).rows().get(0);
        return new AsOfCount(((Number) n[0]).longValue(), ((Number) n[1]).longValue());
    }

    private boolean anyVersionFrom(String t, String target, String version, String bound, Lsn position) {
        Object n = gateway.query("SELECT count() FROM " + t + " WHERE " + version + " >= " + bound, "look for versions of " + target + " from " + position + " on").single();
        return ((Number) n).longValue() > 0;
    }

    /** The target's sorting key columns: the source key the engine orders the table by. */
    private List<String> sortingKey(String target) {
        List<String> keys = gateway.query("SELECT name FROM system.columns WHERE database = "
                        + ClickHouseSql.literal(gateway.database()) + " AND table = " + ClickHouseSql.literal(target)
                        + " AND is_in_sorting_key ORDER BY position", "read the sorting key of " + target)
                .rows().stream().map(r -> new String((byte[]) r[0], java.nio.charset.StandardCharsets.UTF_8)).toList();
        if (keys.isEmpty()) {
            throw ClickHouseRejectedException.byServer("count rows of " + target, 0, "the table has no sorting key", null);
        }
        return keys;
    }
}
