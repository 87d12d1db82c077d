package io.echodb.adapters.clickhouse;

import io.echodb.core.model.RowCount;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.RowCounter;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;

/**
 * Counts the live rows of a mirrored table in ClickHouse: {@code SELECT count() FROM t FINAL}, which keeps only the
 * highest version of each key and hides delete markers. Throws {@link ClickHouseRejectedException} when the target
 * table does not exist, {@link io.echodb.core.port.SinkUnavailableException} when ClickHouse cannot be reached.
 */
public final class ClickHouseRowCounter implements RowCounter {

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
        Object n = gateway.query("SELECT count() FROM " + ClickHouseSql.table(gateway.database(), target) + " FINAL",
                "count rows of " + target).single();
        return new RowCount(table, ((Number) n).longValue(), clock.instant());
    }
}
