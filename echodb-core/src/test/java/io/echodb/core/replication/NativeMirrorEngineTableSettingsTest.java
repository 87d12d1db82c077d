package io.echodb.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.DeleteMode;
import io.echodb.core.model.KeylessTables;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.TableSettings;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Table settings in the engine: the target's key order and partition, excluded columns on every path. */
class NativeMirrorEngineTableSettingsTest {

    private static final Column TENANT = Column.of("tenant", ColumnType.INT32, false);
    private static final Column PAYLOAD = Column.of("payload", ColumnType.TEXT, true);

    private final EngineFixture f = new EngineFixture();

    private TableRef table(String name, ReplicaIdentity identity) {
        TableRef t = TableRef.of("public", name);
        f.source.createTable(new TableSchema(t, List.of(EngineFixture.ID, TENANT, PAYLOAD), List.of("id"), identity));
        f.source.insert(t, Row.of(1L, 10, "a"), Row.of(2L, 20, "b"), Row.of(3L, 10, "c"));
        return t;
    }

    private static MirrorSpec spec(TableRef t, TableSettings settings) {
        return new MirrorSpec(MirrorName.forTable(t, false), t, t.name() + "_v2", settings);
    }

    /** The source rows as the target should hold them: (id, tenant), keyed by (tenant, id). */
    private Map<RowKey, Row> expected(TableRef t) {
        Map<RowKey, Row> out = new LinkedHashMap<>();
        for (Row r : f.source.rows(t)) {
            out.put(RowKey.of(r.get(1), r.get(0)), Row.of(r.get(0), r.get(1)));
        }
        return out;
    }

    private static TableSchema targetView(TableRef t) {
        return new TableSchema(t, List.of(EngineFixture.ID, TENANT), List.of("tenant", "id"), ReplicaIdentity.FULL);
    }

    @Test
    void aKeylessTablesSortingColumnsOnlySortItsMultisetTheyNeverMergeIdenticalRows() {
        f.settings = f.settings.withKeylessTables(KeylessTables.FULL);
        TableRef t = TableRef.of("public", "log");
        f.source.createTable(new TableSchema(t, List.of(EngineFixture.ID, TENANT, PAYLOAD), List.of(), ReplicaIdentity.FULL));
        f.source.insert(t, Row.of(1L, 10, "a"), Row.of(1L, 10, "b"));
        NativeMirrorEngine engine = f.newEngine();

        engine.create(spec(t, new TableSettings(List.of("id"), null, Set.of("payload"))));
        f.settle(engine);
        f.source.insert(t, Row.of(1L, 10, "c"));
        f.settle(engine);

        assertThat(f.sink.ddl()).singleElement().asString().contains("KEY []").contains("MULTISET");
        assertThat(f.sink.multisetRows("log_v2")).as("three rows, identical once payload is left out")
                .hasSize(3).allSatisfy(r -> assertThat(r).containsExactly(Map.entry("id", 1L), Map.entry("tenant", 10)));
        assertThat(engine.status(spec(t, TableSettings.DEFAULTS).name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
    }

    @Test
    void theTargetIsSortedAndPartitionedAsSetAndExcludedColumnsNeverArrive() {
        TableRef t = table("events", ReplicaIdentity.FULL);
        NativeMirrorEngine engine = f.newEngine();
        TableSettings settings = new TableSettings(List.of("tenant"), "intDiv(tenant, 100)", Set.of("payload"));

        engine.create(spec(t, settings));
        f.settle(engine);

        assertThat(f.sink.ddl()).containsExactly(
                "CREATE TABLE events_v2 [id, tenant] KEY [tenant, id] PARTITION BY intDiv(tenant, 100)");
        assertThat(f.sink.columnNames("events_v2")).containsExactly("id", "tenant");
        assertThat(f.sink.finalView("events_v2", targetView(t))).isEqualTo(expected(t));

        // A changed sorting value moves the row: PostgreSQL's old image (FULL) says where it was.
        f.source.begin().set(t, RowKey.of(1L), Map.of("tenant", 30, "payload", "moved")).commit();
        f.source.delete(t, 2L);
        f.source.insert(t, Row.of(4L, 10, "d"));
        engine.drain();

        assertThat(f.sink.finalView("events_v2", targetView(t))).isEqualTo(expected(t))
                .containsKey(RowKey.of(30, 1L)).doesNotContainKey(RowKey.of(10, 1L));
        assertThat(f.sink.columnNames("events_v2")).doesNotContain("payload");
        assertThat(engine.status(MirrorName.forTable(t, false)).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
    }

    @Test
    void hardDeletesArePurgedOnlyOnceATargetHoldsTheWholeCopy() {
        TableRef t = table("purged", ReplicaIdentity.DEFAULT);
        NativeMirrorEngine engine = f.newEngine();
        TableSettings hard = new TableSettings(List.of(), null, Set.of(), DeleteMode.HARD, Duration.ofMinutes(5));

        engine.create(spec(t, hard));
        f.settle(engine);
        assertThat(f.sink.ddl()).containsExactly("CREATE TABLE purged_v2 [id, tenant, payload] KEY [id] HARD DELETES",
                "PURGE OFF purged_v2", "PURGE ON purged_v2");

        engine.resync(MirrorName.forTable(t, false));
        f.settle(engine);
        assertThat(f.sink.ddl()).endsWith("PURGE OFF purged_v2", "PURGE ON purged_v2");
        f.assertMirroredInto(t, "purged_v2");
    }

    @Test
    void aSortingColumnOutsideTheReplicaIdentityIsRefusedWithTheFix() {
        TableRef t = table("plain", ReplicaIdentity.DEFAULT);
        NativeMirrorEngine engine = f.newEngine();

        MirrorStatus status = engine.create(spec(t, new TableSettings(List.of("tenant"), null, Set.of())));

        assertThat(status.state()).isEqualTo(MirrorState.UNSUPPORTED);
        assertThat(status.lastError()).contains("order_by column tenant").contains("REPLICA IDENTITY FULL");
        assertThat(f.sink.exists("plain_v2")).isFalse();
    }

    @Test
    void anExcludedKeyColumnIsRefused() {
        TableRef t = table("keyed", ReplicaIdentity.DEFAULT);
        NativeMirrorEngine engine = f.newEngine();

        MirrorStatus status = engine.create(spec(t, new TableSettings(List.of(), null, Set.of("id"))));

        assertThat(status.state()).isEqualTo(MirrorState.UNSUPPORTED);
        assertThat(status.lastError()).contains("key column id");
    }

    @Test
    void aReplicaIdentityDroppedBackToDefaultStopsTheMirrorInsteadOfLeavingStaleRows() {
        TableRef t = table("downgraded", ReplicaIdentity.FULL);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(t, new TableSettings(List.of("tenant"), null, Set.of())));
        f.settle(engine);

        f.source.alterReplicaIdentity(t, ReplicaIdentity.DEFAULT);
        f.source.insert(t, Row.of(9L, 10, "x"));
        engine.drain();

        MirrorStatus status = engine.status(MirrorName.forTable(t, false)).orElseThrow();
        assertThat(status.state()).isEqualTo(MirrorState.UNSUPPORTED);
        assertThat(status.lastError()).contains("REPLICA IDENTITY FULL");
    }
}
