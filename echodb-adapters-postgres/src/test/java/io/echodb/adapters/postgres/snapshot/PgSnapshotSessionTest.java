package io.echodb.adapters.postgres.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.postgres.replication.PgChangeSource;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;
import io.echodb.adapters.postgres.jdbc.PgSourceException;
import io.echodb.adapters.postgres.replication.PgTestDatabase;
import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeStream;
import io.echodb.core.port.out.CopyCheckpoint;
import io.echodb.core.port.out.CopyRange;
import io.echodb.core.port.out.CopyReceiver;
import io.echodb.core.port.out.SnapshotSession;
import io.echodb.core.port.out.SourceTableChangedException;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Exported snapshots: consistency with the stream, parallel CTID copies, partitioned roots. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PgSnapshotSessionTest {

    private static PgTestDatabase db;
    private static PgChangeSource source;

    @BeforeAll
    static void setUp() {
        db = PgTestDatabase.create("snapshot");
        // small copy ranges so a 200k-row table is split into many CTID ranges
        source = new PgChangeSource(db.connections(), PgReplicationConfig.defaults()
                .withNames("s_" + db.name(), "echodb_pub").withCopy(1000, 16));
        source.prepare();
    }

    @AfterAll
    static void tearDown() {
        source.teardown();
        db.drop();
    }

    @Test
    void rowsCommittedBeforeTheConsistentPointAreCopiedLaterOnesStreamed() throws Exception {
        db.sql("CREATE TABLE consist (id int PRIMARY KEY, v text)",
                "INSERT INTO consist SELECT g, 'before' FROM generate_series(1, 100) g");
        TableRef table = TableRef.of("public", "consist");
        source.publish(table);
        Lsn start = source.prepare();
        TableSchema schema = source.describe(table).orElseThrow();

        // a transaction open while the snapshot is taken commits after the consistent point
        try (Connection open = db.connect(); Statement st = open.createStatement()) {
            open.setAutoCommit(false);
            st.execute("INSERT INTO consist VALUES (1001, 'in flight')");

            Thread committer = new Thread(() -> {
                try {
                    Thread.sleep(500);
                    open.commit();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            committer.start();
            List<Row> copied = Collections.synchronizedList(new ArrayList<>());
            Lsn point;
            try (SnapshotSession snap = source.openSnapshot()) {
                committer.join();
                point = snap.consistentPoint();
                db.sql("INSERT INTO consist VALUES (1002, 'after')", "UPDATE consist SET v = 'changed' WHERE id = 1");
                snap.copy(schema, java.util.Set.of(), 2, java.util.List.of(), copied::addAll);
                assertThat(snap.estimateRows(table, List.of())).isGreaterThanOrEqualTo(0);
            }
            assertThat(point.compareTo(start)).isGreaterThan(0);
            List<Integer> ids = copied.stream().map(r -> (Integer) r.get(0)).sorted().toList();
            assertThat(ids).hasSize(101).contains(1001).doesNotContain(1002);
            assertThat(copied).contains(Row.of(1, "before"), Row.of(1001, "in flight"));

            // everything the copy missed is in the stream after the point; nothing the copy has is after it
            try (ChangeStream stream = source.openStream(start)) {
                List<ChangeEvent> afterPoint = new ArrayList<>();
                List<ChangeEvent> all = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                Lsn currentCommit = null;
                int commitsAfter = 0;
                while (commitsAfter < 2 && System.nanoTime() < deadline) {
                    ChangeEvent e = stream.poll(Duration.ofMillis(200)).orElse(null);
                    if (e == null) {
                        continue;
                    }
                    all.add(e);
                    if (e instanceof ChangeEvent.Begin b) {
                        currentCommit = b.finalLsn();
                    } else if (currentCommit != null && currentCommit.isAfter(point)) {
                        afterPoint.add(e);
                        if (e instanceof ChangeEvent.Commit) {
                            commitsAfter++;
                        }
                    }
                }
                assertThat(commitsAfter).as("commits after the point in %s", all).isEqualTo(2);
                assertThat(afterPoint).filteredOn(e -> e instanceof ChangeEvent.Insert)
                        .extracting(e -> ((ChangeEvent.Insert) e).newRow()).containsExactly(Row.of(1002, "after"));
                assertThat(afterPoint).filteredOn(e -> e instanceof ChangeEvent.Update)
                        .extracting(e -> ((ChangeEvent.Update) e).newRow()).containsExactly(Row.of(1, "changed"));
                // the in-flight transaction committed before the point: it is copied, and not after the point
                assertThat(all).filteredOn(e -> e instanceof ChangeEvent.Insert)
                        .extracting(e -> ((ChangeEvent.Insert) e).newRow()).contains(Row.of(1001, "in flight"));
            }
        }
    }

    @Test
    void aTableNeverAnalyzedIsEstimatedFromItsRowsNotReportedAsEmpty() {
        db.sql("CREATE TABLE fresh_small (id int PRIMARY KEY, v text)",
                "INSERT INTO fresh_small SELECT g, 'v' FROM generate_series(1, 5000) g",
                "CREATE TABLE fresh_big (id int PRIMARY KEY, v text)",
                "INSERT INTO fresh_big SELECT g, repeat('x', 40) FROM generate_series(1, 300000) g");
        long bigPages = db.queryLong("SELECT pg_relation_size('fresh_big') / current_setting('block_size')::int");
        assertThat(bigPages).as("large enough to be sampled").isGreaterThan(PgSnapshotSession.EXACT_COUNT_MAX_PAGES);
        try (SnapshotSession snap = source.openSnapshot()) {
            assertThat(snap.estimateRows(TableRef.of("public", "fresh_small"), List.of())).isEqualTo(5000);
            assertThat(snap.estimateRows(TableRef.of("public", "fresh_big"), List.of())).isBetween(240_000L, 360_000L);
        }
    }

    @Test
    void parallelCtidCopyReturnsEveryRowExactlyOnce() {
        db.sql("CREATE TABLE big (id int PRIMARY KEY, payload text, n numeric(10,2))",
                "INSERT INTO big SELECT g, repeat('x', g % 50), g / 100.0 FROM generate_series(1, 200000) g",
                // holes from deletes and moved rows from updates must not matter
                "DELETE FROM big WHERE id % 97 = 0", "UPDATE big SET payload = 'moved' WHERE id % 89 = 0",
                "ANALYZE big");
        long expected = db.queryLong("SELECT count(*) FROM big");
        long pages = db.queryLong("SELECT pg_relation_size('big') / current_setting('block_size')::int");
        assertThat(pages).isGreaterThan(100);
        TableSchema schema = source.describe(TableRef.of("public", "big")).orElseThrow();
        BitSet seen = new BitSet();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger rows = new AtomicInteger();
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try (SnapshotSession snap = source.openSnapshot()) {
            assertThat(snap.estimateRows(TableRef.of("public", "big"), List.of())).isBetween(expected / 2, expected * 2);
            snap.copy(schema, java.util.Set.of(), 4, java.util.List.of(), batch -> {
                threads.add(Thread.currentThread().getName());
                assertThat(batch.size()).isLessThanOrEqualTo(1000);
                synchronized (seen) {
                    for (Row r : batch) {
                        int id = (Integer) r.get(0);
                        if (seen.get(id)) {
                            duplicates.incrementAndGet();
                        }
                        seen.set(id);
                        rows.incrementAndGet();
                        if (id % 89 == 0) {
                            assertThat(r.get(1)).isEqualTo("moved");
                        }
                    }
                }
            });
        }
        assertThat(duplicates.get()).isZero();
        assertThat(rows.get()).isEqualTo((int) expected);
        assertThat(seen.cardinality()).isEqualTo((int) expected);
        assertThat(seen.get(97)).isFalse();
        assertThat(threads).hasSizeGreaterThan(1);
    }

    @Test
    void partitionedRootIsCopiedThroughItsLeaves() {
        db.sql("CREATE TABLE sales (id int, region text, amount int, PRIMARY KEY (id, region)) PARTITION BY LIST (region)",
                "CREATE TABLE sales_eu PARTITION OF sales FOR VALUES IN ('eu')",
                "CREATE TABLE sales_other PARTITION OF sales DEFAULT PARTITION BY RANGE (id)",
                "CREATE TABLE sales_other_low PARTITION OF sales_other FOR VALUES FROM (0) TO (1000)",
                "CREATE TABLE sales_other_high PARTITION OF sales_other FOR VALUES FROM (1000) TO (MAXVALUE)",
                "INSERT INTO sales SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, g FROM generate_series(1, 3000) g");
        TableSchema schema = source.describe(TableRef.of("public", "sales")).orElseThrow();
        List<Row> copied = Collections.synchronizedList(new ArrayList<>());
        try (SnapshotSession snap = source.openSnapshot()) {
            snap.copy(schema, java.util.Set.of(), 3, java.util.List.of(), copied::addAll);
        }
        assertThat(copied).hasSize(3000);
        assertThat(copied.stream().map(r -> (Integer) r.get(0)).distinct().count()).isEqualTo(3000);
        assertThat(copied).contains(Row.of(2, "eu", 2), Row.of(1999, "us", 1999));
    }

    @Test
    void copyOfAMissingTableFailsClearlyAndConsumerErrorsPropagate() {
        TableSchema ghost = new TableSchema(TableRef.of("public", "ghost"),
                List.of(Column.of("id", ColumnType.INT32, false)), List.of("id"), ReplicaIdentity.DEFAULT);
        db.sql("CREATE TABLE small (id int PRIMARY KEY)", "INSERT INTO small SELECT generate_series(1, 10)");
        TableSchema small = source.describe(TableRef.of("public", "small")).orElseThrow();
        try (SnapshotSession snap = source.openSnapshot()) {
            assertThatThrownBy(() -> snap.copy(ghost, java.util.Set.of(), 2, java.util.List.of(), b -> { }))
                    .isInstanceOf(PgSourceException.class).hasMessageContaining("public.ghost");
            assertThatThrownBy(() -> snap.copy(small, java.util.Set.of(), 2, java.util.List.of(), b -> {
                throw new IllegalStateException("sink is full");
            })).isInstanceOf(IllegalStateException.class).hasMessage("sink is full");
            // the session stays usable after a failed copy
            List<Row> rows = Collections.synchronizedList(new ArrayList<>());
            snap.copy(small, java.util.Set.of(), 2, java.util.List.of(), rows::addAll);
            assertThat(rows).hasSize(10);
        }
    }

    /**
     * DDL committed after the snapshot was taken but before its COPY runs: the snapshot's catalog still shows the
     * column, the COPY (parsed against the current catalog) does not find it. The table changed under the copy, which
     * must start over from a fresh description, not fail the mirror (schema chaos seed 819155850, round 40).
     */
    @Test
    void aColumnDroppedAfterTheSnapshotMakesTheCopyStartOverNotFail() {
        db.sql("CREATE TABLE dropped_late (id int PRIMARY KEY, c1 int, c3 time)",
                "INSERT INTO dropped_late SELECT g, g, time '00:00' FROM generate_series(1, 10) g");
        TableSchema described = source.describe(TableRef.of("public", "dropped_late")).orElseThrow();
        try (SnapshotSession snap = source.openSnapshot()) {
            db.sql("ALTER TABLE dropped_late DROP COLUMN c3");
            assertThatThrownBy(() -> snap.copy(described, Set.of(), 2, java.util.List.of(), b -> { }))
                    .isInstanceOf(SourceTableChangedException.class)
                    .hasMessageContaining("public.dropped_late").hasMessageContaining("c3");
        }
    }

    /**
     * Schema chaos seed 410764217: one copy worker held its ACCESS SHARE lock, the application's DDL queued behind it,
     * and a second worker asked for the lock behind the DDL — the DDL waited for the copy and the copy for the DDL,
     * until the DDL's own lock timeout failed it (I2). Here another session holds the lock (as the first worker) and the
     * DDL waits: the copy must step aside at once, not wait behind the DDL.
     */
    @Test
    void aCopyNeverWaitsForItsTablesLockBehindTheApplicationsDdl() throws Exception {
        db.sql("CREATE TABLE convoy (id int PRIMARY KEY, c1 int)", "INSERT INTO convoy SELECT g, g FROM generate_series(1, 10) g");
        TableSchema schema = source.describe(TableRef.of("public", "convoy")).orElseThrow();
        try (SnapshotSession snap = source.openSnapshot();
             Connection firstWorker = db.connect(); Statement holder = firstWorker.createStatement();
             Connection application = db.connect(); Statement ddl = application.createStatement()) {
            holder.execute("BEGIN");
            holder.execute("LOCK TABLE convoy IN ACCESS SHARE MODE");
            ddl.execute("SET lock_timeout = '20s'");
            java.util.concurrent.CompletableFuture<Void> dropColumn = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    ddl.execute("ALTER TABLE convoy DROP COLUMN c1");
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            io.echodb.core.testing.Eventually.await(java.time.Duration.ofSeconds(10), "the DDL waiting for its lock",
                    () -> db.queryLong("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                            + " WHERE c.relname = 'convoy' AND NOT l.granted") > 0 ? Boolean.TRUE : null);

            long start = System.nanoTime();
            assertThatThrownBy(() -> snap.copy(schema, Set.of(), 1, List.of(), b -> { }))
                    .isInstanceOf(SourceUnavailableException.class).hasMessageContaining("steps aside");
            assertThat((System.nanoTime() - start) / 1_000_000).as("ms the copy waited").isLessThan(10_000);

            holder.execute("COMMIT"); // the first worker's copy ends: the DDL runs
            dropColumn.get(20, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /**
     * A copy reports the page ranges it read; a copy given some of them as finished (at a later point, as after a
     * crash) reads exactly the rows on the other pages, pages added since included, and reports those ranges; the two
     * copies together hold every row.
     */
    @Test
    void aResumedCopyReadsExactlyThePagesNoFinishedRangeCovers() {
        db.sql("CREATE TABLE resumed (id int PRIMARY KEY, payload text)",
                "INSERT INTO resumed SELECT g, repeat('y', 40) FROM generate_series(1, 50000) g");
        TableSchema schema = source.describe(TableRef.of("public", "resumed")).orElseThrow();
        BitSet first = new BitSet();
        List<CopyRange> ranges = Collections.synchronizedList(new ArrayList<>());
        try (SnapshotSession snap = source.openSnapshot()) {
            snap.copy(schema, Set.of(), 2, List.of(), receiver(first, ranges));
        }
        assertThat(first.cardinality()).isEqualTo(50_000);
        long relation = schema.relationId();
        long file = ranges.get(0).fileNode();
        assertThat(ranges).hasSizeGreaterThan(4).allMatch(r -> r.relationId() == relation && r.fileNode() == file);
        assertThat(CopyCheckpoint.remaining(ranges, relation, file)).isEmpty();

        List<CopyRange> finished = new ArrayList<>(ranges);
        finished.sort(java.util.Comparator.comparingLong(CopyRange::firstPage));
        finished.removeIf(r -> finished.indexOf(r) % 2 == 1);
        db.sql("DELETE FROM resumed WHERE id % 10 = 0",
                "INSERT INTO resumed SELECT g, 'added' FROM generate_series(50001, 50100) g");
        long expected = db.queryLong("SELECT count(*) FROM resumed WHERE NOT (" + onPages(finished) + ")");
        BitSet second = new BitSet();
        List<CopyRange> rest = Collections.synchronizedList(new ArrayList<>());
        try (SnapshotSession snap = source.openSnapshot()) {
            snap.copy(schema, Set.of(), 1, finished, receiver(second, rest));
        }
        assertThat((long) second.cardinality()).isEqualTo(expected).isLessThan(45_100);
        assertThat(second.get(50_100)).as("a row on a page added since").isTrue();
        assertThat(rest).hasSizeGreaterThan(1).noneMatch(r -> finished.stream().anyMatch(f -> overlap(f, r)));
        List<CopyRange> all = new ArrayList<>(finished);
        all.addAll(rest);
        assertThat(CopyCheckpoint.remaining(all, relation, file)).isEmpty();
        BitSet union = (BitSet) first.clone();
        union.or(second);
        long live = db.queryLong("SELECT count(*) FROM resumed");
        BitSet liveIds = new BitSet();
        for (int id = 1; id <= 50_100; id++) {
            if (id % 10 != 0 || id > 50_000) {
                liveIds.set(id);
            }
        }
        assertThat(liveIds.cardinality()).isEqualTo((int) live);
        BitSet missing = (BitSet) liveIds.clone();
        missing.andNot(union);
        assertThat(missing.isEmpty()).as("rows neither copy read: %s", missing).isTrue();
    }

    /** VACUUM FULL moves rows between pages without row changes: ranges of the old file are void, all is read again. */
    @Test
    void rangesOfAFileTheTableNoLongerUsesAreReadAgain() {
        db.sql("CREATE TABLE vacuumed (id int PRIMARY KEY, payload text)",
                "INSERT INTO vacuumed SELECT g, repeat('z', 40) FROM generate_series(1, 30000) g");
        TableSchema schema = source.describe(TableRef.of("public", "vacuumed")).orElseThrow();
        List<CopyRange> ranges = Collections.synchronizedList(new ArrayList<>());
        try (SnapshotSession snap = source.openSnapshot()) {
            snap.copy(schema, Set.of(), 2, List.of(), receiver(new BitSet(), ranges));
        }
        db.sql("DELETE FROM vacuumed WHERE id % 3 = 0", "VACUUM FULL vacuumed");
        BitSet again = new BitSet();
        List<CopyRange> after = Collections.synchronizedList(new ArrayList<>());
        try (SnapshotSession snap = source.openSnapshot()) {
            snap.copy(schema, Set.of(), 2, ranges, receiver(again, after));
        }
        assertThat(again.cardinality()).isEqualTo(20_000);
        assertThat(after).isNotEmpty().allMatch(r -> r.fileNode() != ranges.get(0).fileNode());
    }

    private static CopyReceiver receiver(BitSet ids, List<CopyRange> ranges) {
        return new CopyReceiver() {
            @Override
            public void accept(List<Row> rows) {
                synchronized (ids) {
                    for (Row r : rows) {
                        int id = (Integer) r.get(0);
                        assertThat(ids.get(id)).as("row %s read twice", id).isFalse();
                        ids.set(id);
                    }
                }
            }

            @Override
            public void rangeFinished(CopyRange range) {
                ranges.add(range);
            }
        };
    }

    /** SQL: the row's page is in one of {@code ranges}. */
    private static String onPages(List<CopyRange> ranges) {
        StringBuilder sb = new StringBuilder("false");
        for (CopyRange r : ranges) {
            sb.append(" OR ((ctid::text::point)[0] >= ").append(r.firstPage());
            if (!r.openEnded()) {
                sb.append(" AND (ctid::text::point)[0] < ").append(r.endPage());
            }
            sb.append(')');
        }
        return sb.toString();
    }

    private static boolean overlap(CopyRange a, CopyRange b) {
        return a.sameFile(b) && a.firstPage() < b.endPage() && b.firstPage() < a.endPage();
    }
}
