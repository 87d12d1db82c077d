package io.echodb.core.port.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.port.out.TargetLayout;
import io.echodb.core.model.TableSettings;
import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the native engine relies on from a {@link ChangeSink}: tables created and widened but never silently changed,
 * versioned rows where the highest version wins whatever the arrival order (ordinals beyond 65,535 included), delete
 * markers, NULLs kept, current-row lookups for TOAST filling, truncate, idempotent drop, and concurrent writers.
 *
 * <p>Tables use INT64, INT32, TEXT and UUID columns. The final view is read through {@link #finalRows(String)}.
 */
public abstract class ChangeSinkContract {

    protected static final TableRef SOURCE = TableRef.of("public", "contract_items");
    protected static final Column ID = Column.of("id", ColumnType.INT64, false);
    protected static final Column NAME = Column.of("name", ColumnType.TEXT, true);
    protected static final Column QTY = Column.of("qty", ColumnType.INT32, false);
    protected static final Column EXTRA = Column.of("extra", ColumnType.TEXT, true);
    protected static final TableSchema BASE = schema(ID, NAME, QTY);
    protected static final TableSchema WIDER = schema(ID, NAME, QTY, EXTRA);

    private static final AtomicInteger TARGETS = new AtomicInteger();

    protected ChangeSink sink;

    /** The sink under test; called before each test. Tables it creates may stay behind (names are unique). */
    protected abstract ChangeSink createSink();

    /**
     * The target table's current rows as its readers see them (ClickHouse: {@code SELECT … FINAL}): per key the row
     * with the highest version, keys whose winning row is a delete marker left out. Each row maps column name to
     * value in core value types (INT64 → Long, INT32 → Integer, TEXT → String, UUID → java.util.UUID, NULL → null);
     * the sink's own metadata columns (version, deletion flag, sync time) are left out. Any row order.
     */
    protected abstract List<Map<String, Object>> finalRows(String target);

    /**
     * A key-less table's multiset target as readers see it: each distinct row (metadata columns left out) as often as
     * its +1/−1 images add up ({@code sum(sign)} over {@code FINAL}). Same value types as {@link #finalRows}.
     */
    protected abstract List<Map<String, Object>> multisetRows(String target);

    /** A target table name no other test uses. */
    protected String newTargetName() {
        return "sink_" + TARGETS.incrementAndGet() + "_" + Long.toString(System.nanoTime() % 1_000_000, 36);
    }

    @BeforeEach
    void openSink() {
        sink = createSink();
    }

    // ================================================================ schema

    @Test
    void ensureTableCreatesOnceThenReportsUnchanged() {
        String target = newTargetName();
        assertThat(sink.ensureTable(target, BASE)).isInstanceOf(SchemaSync.Created.class);
        assertThat(sink.ensureTable(target, BASE)).isInstanceOf(SchemaSync.Unchanged.class);
        assertThat(finalRows(target)).isEmpty();
    }

    @Test
    void ensureTableAddsNewColumnsAndKeepsRows() {
        String target = newTargetName();
        sink.ensureTable(target, BASE);
        sink.write(target, BASE, List.of(row(1, "a", 1, v(100, 1))));

        SchemaSync sync = sink.ensureTable(target, WIDER);

        assertThat(sync).isInstanceOf(SchemaSync.Altered.class);
        assertThat(((SchemaSync.Altered) sync).changes()).isNotEmpty().anyMatch(c -> c.contains("extra"));
        assertThat(sink.ensureTable(target, WIDER)).isInstanceOf(SchemaSync.Unchanged.class);
        sink.write(target, WIDER, List.of(new SinkRow(Row.of(2L, "b", 2, "x"), v(101, 1), false)));
        assertThat(sorted(finalRows(target))).containsExactly(
                map("id", 1L, "name", "a", "qty", 1, "extra", null),
                map("id", 2L, "name", "b", "qty", 2, "extra", "x"));
    }

    @Test
    void aSchemaWithoutAColumnTheTargetHasIsCompatibleAndItsRowsLeaveThatColumnEmpty() {
        String target = newTargetName();
        sink.ensureTable(target, WIDER);
        assertThat(sink.ensureTable(target, BASE)).isNotInstanceOf(SchemaSync.Incompatible.class);
        sink.write(target, BASE, List.of(row(1, "a", 1, v(100, 1))));

        List<Map<String, Object>> rows = finalRows(target);
        assertThat(rows).hasSize(1);
        Map<String, Object> only = rows.get(0);
        assertThat(only).containsEntry("id", 1L).containsEntry("name", "a").containsEntry("qty", 1);
        // Kept (NULL) or dropped, depending on the sink's drop-column policy; never a made-up value.
        assertThat(only.get("extra")).isNull();
    }

    @Test
    void changingTheTypeOfAKeyColumnIsIncompatible() {
        String target = newTargetName();
        sink.ensureTable(target, BASE);
        TableSchema textKey = schema(Column.of("id", ColumnType.TEXT, false), NAME, QTY);
        SchemaSync sync = sink.ensureTable(target, textKey);
        assertThat(sync).isInstanceOf(SchemaSync.Incompatible.class);
        assertThat(((SchemaSync.Incompatible) sync).reason()).isNotBlank();
        assertThat(((SchemaSync.Incompatible) sync).rebuildable()).as("the sink's own table may be rebuilt by a copy").isTrue();
    }

    /**
     * A wider type (or one a text column can hold) is taken in place and the rows keep their values: so when a column
     * was really dropped and added again, only the engine can tell that the values are gone (it copies the table again).
     */
    @Test
    void aTypeTheTargetCanHoldIsTakenInPlaceKeepingTheRows() {
        String target = newTargetName();
        sink.ensureTable(target, BASE);
        sink.write(target, BASE, List.of(row(1, "a", 7, v(100, 1))));

        TableSchema wider = schema(ID, Column.of("name", new ColumnType.Bool(), true), Column.of("qty", ColumnType.INT64, false));
        assertThat(sink.ensureTable(target, wider)).isNotInstanceOf(SchemaSync.Incompatible.class);

        List<Map<String, Object>> rows = finalRows(target);
        assertThat(rows).hasSize(1);
        assertThat(String.valueOf(rows.get(0).get("name"))).isEqualTo("a");
        assertThat(((Number) rows.get(0).get("qty")).longValue()).isEqualTo(7);
    }

    @Test
    void changingAColumnToAnUnrelatedTypeIsIncompatible() {
        String target = newTargetName();
        sink.ensureTable(target, BASE);
        TableSchema uuidQty = schema(ID, NAME, Column.of("qty", ColumnType.UUID, false));
        assertThat(sink.ensureTable(target, uuidQty)).isInstanceOf(SchemaSync.Incompatible.class)
                .extracting(s -> ((SchemaSync.Incompatible) s).rebuildable()).isEqualTo(true);
    }

    /**
     * A table that lost its key (no key, replica identity not FULL) cannot be stored in a keyed target, new or existing,
     * and rebuilding the target does not change that: only the source can (a key, or REPLICA IDENTITY FULL and a
     * multiset target).
     */
    @Test
    void aTableWithoutKeyOrFullIdentityIsRefusedAndNoRebuildHelps() {
        String target = newTargetName();
        sink.ensureTable(target, BASE);
        TableSchema keyless = new TableSchema(BASE.table(), BASE.columns(), java.util.List.of(),
                io.echodb.core.schema.ReplicaIdentity.DEFAULT);
        SchemaSync existing = sink.ensureTable(target, keyless);
        SchemaSync fresh = sink.ensureTable(newTargetName(), keyless);
        for (SchemaSync sync : java.util.List.of(existing, fresh)) {
            assertThat(sync).isInstanceOf(SchemaSync.Incompatible.class);
            assertThat(((SchemaSync.Incompatible) sync).rebuildable()).isFalse();
        }
    }

    // ================================================================ rows and versions

    @Test
    void aWriteToATableThatIsGoneSaysSoWithItsOwnException() {
        String target = newTargetName();
        sink.ensureTable(target, BASE);
        sink.drop(target);
        assertThatThrownBy(() -> sink.write(target, BASE, java.util.List.of(new io.echodb.core.change.SinkRow(
                io.echodb.core.schema.Row.of(1L, "a", 1), io.echodb.core.change.RowVersion.snapshot(
                io.echodb.core.change.Lsn.of(8)), false))))
                .isInstanceOf(io.echodb.core.port.out.TargetMissingException.class).hasMessageContaining(target);
    }

    @Test
    void writtenRowsAppearWithTheirValuesAndNullsStayNull() {
        String target = newTargetName();
        sink.ensureTable(target, BASE);
        sink.write(target, BASE, List.of(row(1, "a", 10, v(100, 1)), row(2, null, 20, v(100, 2)), row(3, "", 0, v(100, 3))));
        assertThat(sorted(finalRows(target))).containsExactly(
                map("id", 1L, "name", "a", "qty", 10),
                map("id", 2L, "name", null, "qty", 20),
                map("id", 3L, "name", "", "qty", 0));
    }

    @Test
    void theHighestVersionWinsWhateverTheArrivalOrder() {
        String target = newTargetName();
        sink.ensureTable(target, BASE);
        sink.write(target, BASE, List.of(row(1, "newer commit", 1, v(200, 1))));
        sink.write(target, BASE, List.of(row(1, "older commit", 1, v(100, 9))));
        // Same commit: the ordinal decides, also beyond 16 bits.
        sink.write(target, BASE, List.of(row(2, "change 70000", 2, v(300, 70_000))));
        sink.write(target, BASE, List.of(row(2, "change 65535", 2, v(300, 65_535)), row(2, "change 5", 2, v(300, 5))));
        // A copied row (ordinal 0) loses against a change of the same LSN, wins against an older commit.
        sink.write(target, BASE, List.of(row(3, "stream", 3, v(400, 1)), row(3, "snapshot", 3, v(400, 0))));
        sink.write(target, BASE, List.of(row(4, "snapshot", 4, v(400, 0)), row(4, "older stream", 4, v(399, 80_000))));
        // LSNs using the high bits still order correctly.
        sink.write(target, BASE, List.of(row(5, "high", 5, new RowVersion(0x7FFF_FFFF_0000_0000L, 1)),
                row(5, "low", 5, new RowVersion(0x0000_0001_FFFF_FFFFL, Long.MAX_VALUE))));

        assertThat(sorted(finalRows(target))).extracting(m -> m.get("name"))
                .containsExactly("newer commit", "change 70000", "stream", "snapshot", "high");
    }

    @Test
    void aDeleteMarkerHidesTheKeyUntilAHigherVersionBringsItBack() {
        String target = newTargetName();
        sink.ensureTable(target, BASE);
        sink.write(target, BASE, List.of(row(1, "a", 1, v(100, 1)), row(2, "b", 2, v(100, 2))));
        // A delete carries only the key: the other values are null, even in a NOT NULL column.
        sink.write(target, BASE, List.of(new SinkRow(Row.of(1L, null, null), v(200, 1), true)));
        assertThat(sorted(finalRows(target))).extracting(m -> m.get("id")).containsExactly(2L);

        sink.write(target, BASE, List.of(row(1, "stale", 1, v(150, 1))));
        assertThat(sorted(finalRows(target))).extracting(m -> m.get("id")).containsExactly(2L);

        sink.write(target, BASE, List.of(row(1, "again", 7, v(300, 1))));
        assertThat(sorted(finalRows(target))).containsExactly(map("id", 1L, "name", "again", "qty", 7), map("id", 2L, "name", "b", "qty", 2));
    }

    @Test
    void currentRowsReturnsTheLatestLiveRowOfEachKnownKey() {
        String target = newTargetName();
        sink.ensureTable(target, BASE);
        sink.write(target, BASE, List.of(row(1, "a", 1, v(100, 1)), row(2, "b", 2, v(100, 2)), row(3, "c", 3, v(100, 3))));
        sink.write(target, BASE, List.of(row(1, "a2", 11, v(200, 1)), new SinkRow(Row.of(2L, null, null), v(200, 2), true)));

        Map<RowKey, Row> current = sink.currentRows(target, BASE, List.of(RowKey.of(1L), RowKey.of(2L), RowKey.of(4L)));

        assertThat(current).containsOnlyKeys(RowKey.of(1L));
        assertThat(current.get(RowKey.of(1L))).isEqualTo(Row.of(1L, "a2", 11));
    }

    @Test
    void latestRowsCarryTheStoredVersion() {
        String target = newTargetName();
        sink.ensureTable(target, BASE);
        sink.write(target, BASE, List.of(row(1, "a", 1, v(100, 1)), row(2, "b", 2, v(100, 2))));
        // A version whose LSN uses the high bit (unsigned) must come back as written.
        sink.write(target, BASE, List.of(row(1, "a2", 11, new RowVersion(0x8000_0001_0000_0002L, 7))));

        Map<RowKey, SinkRow> latest = sink.latestRows(target, BASE, List.of(RowKey.of(1L), RowKey.of(2L)));

        assertThat(latest.get(RowKey.of(1L))).isEqualTo(new SinkRow(Row.of(1L, "a2", 11), new RowVersion(0x8000_0001_0000_0002L, 7), false));
        assertThat(latest.get(RowKey.of(2L))).isEqualTo(new SinkRow(Row.of(2L, "b", 2), v(100, 2), false));
    }

    @Test
    void currentRowsFollowsTheRequestedSchema() {
        String target = newTargetName();
        sink.ensureTable(target, BASE);
        sink.write(target, BASE, List.of(row(1, "a", 1, v(100, 1))));
        sink.ensureTable(target, WIDER);

        Map<RowKey, Row> current = sink.currentRows(target, WIDER, List.of(RowKey.of(1L)));

        assertThat(current.get(RowKey.of(1L))).isEqualTo(Row.of(1L, "a", 1, null));
    }

    @Test
    void truncateRemovesEveryRowAndTheTableStaysUsable() {
        String target = newTargetName();
        sink.ensureTable(target, BASE);
        sink.write(target, BASE, List.of(row(1, "a", 1, v(100, 1)), row(2, "b", 2, v(100, 2))));

        sink.truncate(target);
        assertThat(finalRows(target)).isEmpty();

        sink.write(target, BASE, List.of(row(3, "c", 3, v(50, 1))));
        assertThat(finalRows(target)).containsExactly(map("id", 3L, "name", "c", "qty", 3));
    }

    @Test
    void dropIsIdempotentAndTheTableCanBeCreatedAgain() {
        String target = newTargetName();
        sink.ensureTable(target, BASE);
        sink.write(target, BASE, List.of(row(1, "a", 1, v(100, 1))));
        sink.drop(target);
        sink.drop(target);
        sink.drop(newTargetName());

        assertThat(sink.ensureTable(target, BASE)).isInstanceOf(SchemaSync.Created.class);
        assertThat(finalRows(target)).isEmpty();
    }

    @Test
    void concurrentWritersToOneTableAllLand() throws Exception {
        String target = newTargetName();
        sink.ensureTable(target, BASE);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int worker = w;
                futures.add(pool.submit(() -> {
                    for (int batch = 0; batch < 5; batch++) {
                        List<SinkRow> rows = new ArrayList<>();
                        for (int i = 0; i < 100; i++) {
                            long id = worker * 10_000L + batch * 100L + i;
                            rows.add(row(id, "w" + worker, i, v(100, 0)));
                        }
                        sink.write(target, BASE, rows);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(finalRows(target)).hasSize(2000);
    }

    @Test
    void aLargeBatchIsWrittenCompletely() {
        String target = newTargetName();
        sink.ensureTable(target, BASE);
        List<SinkRow> rows = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            rows.add(row(i, "name " + i, i, v(100, i + 1)));
        }
        sink.write(target, BASE, rows);
        List<Map<String, Object>> all = finalRows(target);
        assertThat(all).hasSize(20_000);
        assertThat(all).contains(map("id", 12_345L, "name", "name 12345", "qty", 12_345));
    }

    // ================================================================ key-less tables

    @Test
    void aMultisetTargetKeepsIdenticalRowsAndEachMinusImageCancelsOneCopy() {
        String target = newTargetName();
        TableSchema keyless = new TableSchema(SOURCE, List.of(ID, NAME, QTY), List.of(), ReplicaIdentity.FULL);
        TargetLayout layout = TargetLayout.multiset(TableSettings.DEFAULTS, List.of());
        assertThat(sink.ensureTable(target, keyless, layout)).isInstanceOf(SchemaSync.Created.class);
        assertThat(sink.ensureTable(target, keyless, layout)).isInstanceOf(SchemaSync.Unchanged.class);
        // a copy: identical rows, told apart by their versions
        sink.write(target, keyless, List.of(row(1, "a", 1, v(100, 1)), row(1, "a", 1, v(100, 2)), row(1, "a", 1, v(100, 3)),
                row(2, "b", 2, v(100, 4))));
        // one copy of (1, a, 1) deleted; (2, b, 2) updated to (2, c, 2): −old and +new with the change's version
        List<SinkRow> changes = List.of(new SinkRow(Row.of(1L, "a", 1), v(200, 1), true),
                new SinkRow(Row.of(2L, "b", 2), v(200, 2), true), row(2, "c", 2, v(200, 2)));
        sink.write(target, keyless, changes);
        sink.write(target, keyless, changes); // a replay after a crash changes nothing
        assertThat(sorted(multisetRows(target))).containsExactly(map("id", 1L, "name", "a", "qty", 1),
                map("id", 1L, "name", "a", "qty", 1), map("id", 2L, "name", "c", "qty", 2));

        SchemaSync keyed = sink.ensureTable(target, BASE);
        assertThat(keyed).as("a keyed table does not fit a multiset target").isInstanceOf(SchemaSync.Incompatible.class);
        assertThat(((SchemaSync.Incompatible) keyed).rebuildable()).isTrue();
    }

    // ================================================================ helpers

    protected static TableSchema schema(Column... columns) {
        return new TableSchema(SOURCE, List.of(columns), List.of("id"), ReplicaIdentity.DEFAULT);
    }

    protected static RowVersion v(long lsn, long ordinal) {
        return new RowVersion(lsn, ordinal);
    }

    protected static SinkRow row(long id, String name, int qty, RowVersion version) {
        return new SinkRow(Row.of(id, name, qty), version, false);
    }

    /** A map of alternating names and values (values may be null), in that order. */
    protected static Map<String, Object> map(Object... namesAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return m;
    }

    protected static List<Map<String, Object>> sorted(List<Map<String, Object>> rows) {
        List<Map<String, Object>> out = new ArrayList<>(rows);
        out.sort(Comparator.comparingLong(m -> ((Number) m.get("id")).longValue()));
        return out;
    }
}
