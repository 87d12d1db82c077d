package io.echodb.adapters.clickhouse;

import io.echodb.core.change.Lsn;
import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.RowCounter;
import io.echodb.core.port.contract.RowCounterContract;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The RowCounter contract against real ClickHouse tables written by the sink (removed rows become delete markers). */
class ClickHouseRowCounterContractTest extends RowCounterContract {

    private static ClickHouseTestDatabase db;
    private static ClickHouseChangeSink sink;
    private static final AtomicLong LSN = new AtomicLong(100);
    private static final Map<TableRef, Integer> LIVE = new HashMap<>();

    @BeforeAll
    static void open() {
        db = ClickHouseTestDatabase.create("rowcount");
        sink = new ClickHouseChangeSink(db.gateway);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Override
    protected RowCounter newCounter() {
        return new ClickHouseRowCounter(db.gateway, TableRef::name, Clock.systemUTC());
    }

    @Override
    protected void givenRows(TableRef table, int n) {
        TableSchema schema = new TableSchema(table, List.of(Column.of("id", ColumnType.INT32, false),
                Column.of("v", ColumnType.TEXT, true)), List.of("id"), ReplicaIdentity.DEFAULT);
        sink.ensureTable(table.name(), schema);
        Lsn lsn = Lsn.of(LSN.incrementAndGet());
        List<SinkRow> rows = new ArrayList<>();
        int ordinal = 0;
        for (int id = 0; id < Math.max(n, LIVE.getOrDefault(table, 0)); id++) {
            boolean live = id < n;
            rows.add(new SinkRow(Row.of(id, live ? "row " + id : null), RowVersion.change(lsn, ++ordinal), !live));
        }
        sink.write(table.name(), schema, rows);
        LIVE.put(table, n);
    }
}
