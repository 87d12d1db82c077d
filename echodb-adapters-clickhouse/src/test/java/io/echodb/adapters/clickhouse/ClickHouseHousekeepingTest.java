package io.echodb.adapters.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.change.Lsn;
import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClickHouseHousekeepingTest {

    private static ClickHouseTestDatabase db;
    private static ClickHouseChangeSink sink;
    private static ClickHouseHousekeeping housekeeping;

    @BeforeAll
    static void open() {
        db = ClickHouseTestDatabase.create("housekeeping");
        sink = new ClickHouseChangeSink(db.gateway);
        housekeeping = new ClickHouseHousekeeping(db.gateway);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void listsOnlyTheTablesEchoDbManages() {
        sink.ensureTable("b table", schema("b table"));
        sink.ensureTable("A", schema("A"));
        db.gateway.execute("CREATE TABLE " + ClickHouseSql.table(db.name, "foreign") + " (x Int32) ENGINE = MergeTree ORDER BY x",
                "create a table EchoDB does not manage");

        assertThat(housekeeping.listTables()).containsSubsequence("A", "b table").doesNotContain("foreign").isSorted();
    }

    @Test
    void optimizeFinalCollapsesVersionsOnDiskWithoutChangingWhatFinalShows() {
        TableSchema s = schema("merged");
        sink.ensureTable("merged", s);
        for (int v = 1; v <= 3; v++) {
            sink.write("merged", s, List.of(new SinkRow(Row.of(1, "v" + v), RowVersion.change(Lsn.of(v), 1), false),
                    new SinkRow(Row.of(2, "v" + v), RowVersion.change(Lsn.of(v), 2), v == 3)));
        }
        assertThat(Long.parseLong(db.value("SELECT count() FROM `merged`"))).isEqualTo(6);

        housekeeping.optimizeFinal("merged");

        assertThat(Long.parseLong(db.value("SELECT count() FROM `merged`"))).isLessThanOrEqualTo(2);
        assertThat(db.column("SELECT v FROM `merged` FINAL ORDER BY id")).containsExactly("v3");
    }

    private static TableSchema schema(String name) {
        return new TableSchema(TableRef.of("public", name), List.of(Column.of("id", ColumnType.INT32, false),
                Column.of("v", ColumnType.TEXT, true)), List.of("id"), ReplicaIdentity.DEFAULT);
    }
}
