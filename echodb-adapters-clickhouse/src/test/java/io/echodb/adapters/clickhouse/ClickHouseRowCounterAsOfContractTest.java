package io.echodb.adapters.clickhouse;

import io.echodb.core.change.Lsn;
import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.RowCounterAsOf;
import io.echodb.core.port.contract.RowCounterAsOfContract;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link ClickHouseRowCounter#countBefore} against the shared contract, on tables the real sink writes. */
class ClickHouseRowCounterAsOfContractTest extends RowCounterAsOfContract {

    private static ClickHouseTestDatabase db;
    private static ClickHouseChangeSink sink;

    @BeforeAll
    static void open() {
        db = ClickHouseTestDatabase.create("rowcount_asof");
        sink = new ClickHouseChangeSink(db.gateway);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Override
    protected RowCounterAsOf newCounter() {
        return new ClickHouseRowCounter(db.gateway, TableRef::name, Clock.systemUTC());
    }

    @Override
    protected void givenTable(TableRef table) {
        sink.ensureTable(table.name(), schema(table));
    }

    @Override
    protected void givenVersion(TableRef table, int key, Lsn commit, boolean deleted) {
        sink.write(table.name(), schema(table),
                List.of(new SinkRow(Row.of(key, deleted ? null : "v" + key), RowVersion.change(commit, 1), deleted)));
    }

    @org.junit.jupiter.api.Test
    void aKeyWhoseOlderVersionWasMergedAwayIsUndecidedBeforeItsNewerVersion() {
        TableRef t = table();
        givenTable(t);
        givenVersion(t, 1, Lsn.of(100), false);
        givenVersion(t, 2, Lsn.of(100), false);
        givenVersion(t, 1, Lsn.of(300), false);
        db.gateway.execute("OPTIMIZE TABLE " + ClickHouseSql.table(db.gateway.database(), t.name()) + " FINAL", "merge");

        io.echodb.core.port.out.AsOfCount at200 = newCounter().countBefore(t, Lsn.of(200));

        org.assertj.core.api.Assertions.assertThat(at200).isEqualTo(new io.echodb.core.port.out.AsOfCount(1, 1));
        org.assertj.core.api.Assertions.assertThat(at200.allows(2)).isTrue();
        org.assertj.core.api.Assertions.assertThat(at200.allows(3)).isFalse();
    }

    private static TableSchema schema(TableRef table) {
        return new TableSchema(table, List.of(Column.of("id", ColumnType.INT32, false), Column.of("v", ColumnType.TEXT, true)),
                List.of("id"), ReplicaIdentity.DEFAULT);
    }
}
