package io.echodb.core.port.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeSource;
import io.echodb.core.port.out.ChangeStream;
import io.echodb.core.port.out.SnapshotSession;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.schema.UnchangedToast;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the native engine relies on from a {@link ChangeSource}: publication filtering, pgoutput-like event order,
 * acknowledgements that survive reconnecting, replay of what was not acknowledged, TOAST markers, schema changes
 * announced by Relation events, and snapshots ordered exactly against the stream by their consistent point.
 *
 * <p>Tables use only INT64, INT32 and TEXT columns. Each test gets a fresh source from {@link #createSource()} and
 * tears its slot and publication down afterwards.
 */
public abstract class ChangeSourceContract {

    /** A data change made through {@link #commit}; keys are the primary-key values in key-column order. */
    public sealed interface SourceOp {

        record Insert(TableRef table, Row row) implements SourceOp { }

        /** Sets every column to {@code newRow}'s values in the row with {@code key}; the key may change. */
        record Update(TableRef table, RowKey key, Row newRow) implements SourceOp { }

        /** Sets only the given columns of the row with {@code key}; the other columns are not touched. */
        record SetColumns(TableRef table, RowKey key, Map<String, Object> values) implements SourceOp { }

        record Delete(TableRef table, RowKey key) implements SourceOp { }

        record Truncate(TableRef table) implements SourceOp { }
    }

    /** Long enough for a stream to deliver a few transactions on a loaded machine. */
    protected static final Duration WAIT = Duration.ofSeconds(30);

    protected static final Column ID = Column.of("id", ColumnType.INT64, false);
    protected static final Column NAME = Column.of("name", ColumnType.TEXT, true);
    protected static final Column QTY = Column.of("qty", ColumnType.INT32, true);

    private static final AtomicInteger TABLES = new AtomicInteger();

    protected ChangeSource source;
    private final List<ChangeStream> streams = new ArrayList<>();
    private final List<SnapshotSession> snapshots = new ArrayList<>();

    /**
     * The source under test, over a database where this test may create tables. Its slot and publication may exist
     * from an earlier test only if {@link ChangeSource#teardown()} removes them; every test ends with a teardown.
     */
    protected abstract ChangeSource createSource();

    /** Creates {@code table} with these columns in this order and a primary key on {@code keyColumns} (none if empty). */
    protected abstract void createTable(TableRef table, List<Column> columns, List<String> keyColumns);

    /** Adds a nullable column without default at the end of {@code table} (ALTER TABLE … ADD COLUMN). */
    /** ALTER TABLE … RENAME TO {@code to}'s name (same schema): the same relation under a new name. */
    protected abstract void renameTable(TableRef from, TableRef to);

    protected abstract void addColumn(TableRef table, Column column);

    /** Runs the operations, in order, in one source transaction and commits it. */
    protected abstract void commit(List<SourceOp> ops);

    /** The schema the test tables live in. */
    protected String schemaName() {
        return "public";
    }

    @BeforeEach
    void openSource() {
        source = createSource();
    }

    @AfterEach
    void tearDownSource() {
        streams.forEach(s -> {
            try {
                s.close();
            } catch (RuntimeException ignored) {
                // already broken
            }
        });
        snapshots.forEach(SnapshotSession::close);
        source.teardown();
    }

    // ================================================================ tests

    @Test
    void prepareIsIdempotentAndReturnsTheSlotPosition() {
        Lsn first = source.prepare();
        Lsn second = source.prepare();
        assertThat(second).isEqualTo(first);
        assertThat(source.currentLsn()).isGreaterThanOrEqualTo(first);
        assertThat(source.lagBytes()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void describeReturnsColumnsTypesAndKey() {
        TableRef t = givenTable();
        TableSchema schema = source.describe(t).orElseThrow();
        assertThat(schema.table()).isEqualTo(t);
        assertThat(schema.columnNames()).containsExactly("id", "name", "qty");
        assertThat(schema.columns()).extracting(Column::type).containsExactly(ColumnType.INT64, ColumnType.TEXT, ColumnType.INT32);
        assertThat(schema.column("id").orElseThrow().nullable()).isFalse();
        assertThat(schema.keyColumns()).containsExactly("id");
        assertThat(schema.unsupportedReason()).isEmpty();
    }

    @Test
    void describeOfAMissingTableIsEmpty() {
        assertThat(source.describe(TableRef.of(schemaName(), "no_such_table_" + TABLES.incrementAndGet()))).isEmpty();
    }

    @Test
    void aTableWithoutKeyIsDescribedAsUnsupported() {
        TableRef t = newTableRef();
        createTable(t, List.of(ID, NAME), List.of());
        TableSchema schema = source.describe(t).orElseThrow();
        assertThat(schema.keyColumns()).isEmpty();
        assertThat(schema.unsupportedReason()).isPresent();
        assertThat(schema.keylessWithoutFullIdentity()).isTrue();
    }

    @Test
    void fullReplicaIdentityMakesAKeylessTableAMultisetWithWholeOldRows() {
        TableRef t = newTableRef();
        createTable(t, List.of(ID, NAME), List.of());
        TableSchema after = source.useFullReplicaIdentity(t).orElseThrow();
        assertThat(after.isMultiset()).as("key-less under REPLICA IDENTITY FULL: %s", after).isTrue();
        assertThat(after.keyColumns()).isEmpty();
        assertThat(source.describe(t).orElseThrow()).isEqualTo(after);
        assertThat(source.useFullReplicaIdentity(t)).as("idempotent").contains(after);
        assertThat(source.useFullReplicaIdentity(newTableRef())).as("a missing table").isEmpty();
    }

    @Test
    void streamDeliversCommittedChangesOfPublishedTablesInPgoutputOrder() {
        TableRef t = givenTable();
        Lsn start = source.prepare();
        source.publish(t);
        commit(List.of(insert(t, 1, "a", 10), insert(t, 2, "b", 20)));
        commit(List.of(new SourceOp.Update(t, RowKey.of(1L), Row.of(1L, "a2", 11))));
        commit(List.of(new SourceOp.Delete(t, RowKey.of(2L))));

        List<ChangeEvent> events = collect(open(start), commits(3));

        assertThat(events.get(0)).isInstanceOf(ChangeEvent.Begin.class);
        int firstRelation = indexOf(events, e -> e instanceof ChangeEvent.Relation r && r.schema().table().equals(t));
        int firstInsert = indexOf(events, e -> e instanceof ChangeEvent.Insert);
        assertThat(firstRelation).as("Relation before the first change").isBetween(0, firstInsert);
        assertThat(of(events, ChangeEvent.Insert.class)).extracting(ChangeEvent.Insert::newRow)
                .containsExactly(Row.of(1L, "a", 10), Row.of(2L, "b", 20));
        ChangeEvent.Update update = of(events, ChangeEvent.Update.class).get(0);
        assertThat(update.table()).isEqualTo(t);
        assertThat(update.newRow()).isEqualTo(Row.of(1L, "a2", 11));
        ChangeEvent.Delete delete = of(events, ChangeEvent.Delete.class).get(0);
        assertThat(delete.oldRow().get(0)).isEqualTo(2L);

        List<ChangeEvent.Begin> begins = of(events, ChangeEvent.Begin.class);
        List<ChangeEvent.Commit> commits = of(events, ChangeEvent.Commit.class);
        assertThat(begins).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(begins.get(i).finalLsn()).as("Begin carries its commit LSN").isEqualTo(commits.get(i).commitLsn());
            assertThat(commits.get(i).endLsn()).isGreaterThan(commits.get(i).commitLsn());
            if (i > 0) {
                assertThat(commits.get(i).commitLsn()).as("commit order").isGreaterThan(commits.get(i - 1).commitLsn());
            }
        }
        assertTransactionsAreWellFormed(events);
    }

    @Test
    void unpublishingARelationRemovesItUnderItsNewNameAndLeavesTheTableNowUnderItsOldName() {
        TableRef a = givenTable();
        TableRef b = givenTable();
        TableRef scratch = newTableRef();
        Lsn start = source.prepare();
        source.publish(a);
        source.publish(b);
        long relationOfA = source.describe(a).orElseThrow().relationId();
        // a and b swap names through a third one: the relation the caller followed as a is now called b.
        renameTable(a, scratch);
        renameTable(b, a);
        renameTable(scratch, b);
        source.unpublish(a, relationOfA);
        source.unpublish(a, relationOfA);
        commit(List.of(insert(a, 1, "was b", 1), insert(b, 1, "was a", 1)));
        commit(List.of(insert(a, 2, "was b", 2)));

        List<ChangeEvent> events = collect(open(start), commits(2));

        assertThat(of(events, ChangeEvent.Insert.class)).extracting(i -> i.newRow().get(1))
                .containsExactly("was b", "was b");
        assertThat(of(events, ChangeEvent.Insert.class)).extracting(ChangeEvent.Insert::relationId)
                .doesNotContain(relationOfA);
    }

    @Test
    void changesOfUnpublishedTablesAreNotStreamed() {
        TableRef published = givenTable();
        TableRef other = givenTable();
        TableRef removed = givenTable();
        Lsn start = source.prepare();
        source.publish(published);
        source.publish(removed);
        source.unpublish(removed, 0);
        source.unpublish(removed, 0);
        commit(List.of(insert(published, 1, "p", 1), insert(other, 1, "o", 1), insert(removed, 1, "r", 1)));
        commit(List.of(insert(other, 2, "o", 2)));
        commit(List.of(insert(published, 2, "p", 2)));

        List<ChangeEvent> events = collect(open(start), commits(2));

        assertThat(of(events, ChangeEvent.Insert.class)).extracting(ChangeEvent.Insert::table).containsOnly(published);
        assertThat(of(events, ChangeEvent.Insert.class)).hasSize(2);
        assertThat(of(events, ChangeEvent.Relation.class)).extracting(r -> r.schema().table()).containsOnly(published);
    }

    @Test
    void aRecreatedSlotStartsAtTheCurrentPositionAndKeepsThePublication() {
        TableRef t = givenTable();
        Lsn start = source.prepare();
        source.publish(t);
        commit(List.of(insert(t, 1, "before", 1)));

        Lsn recreated = source.recreateSlot();
        assertThat(recreated).isGreaterThan(start);
        commit(List.of(insert(t, 2, "after", 2)));

        List<ChangeEvent> events = collect(open(start), commits(1));
        assertThat(of(events, ChangeEvent.Insert.class)).extracting(i -> i.newRow().get(0)).containsExactly(2L);
    }

    @Test
    void truncateIsStreamedInOrder() {
        TableRef t = givenTable();
        Lsn start = source.prepare();
        source.publish(t);
        commit(List.of(insert(t, 1, "a", 1)));
        commit(List.of(new SourceOp.Truncate(t), insert(t, 2, "b", 2)));

        List<ChangeEvent> events = collect(open(start), commits(2));

        int truncate = indexOf(events, e -> e instanceof ChangeEvent.Truncate tr && tr.tables().contains(t));
        int secondInsert = indexOf(events, e -> e instanceof ChangeEvent.Insert i && i.newRow().get(0).equals(2L));
        int firstInsert = indexOf(events, e -> e instanceof ChangeEvent.Insert i && i.newRow().get(0).equals(1L));
        assertThat(truncate).isGreaterThan(firstInsert).isLessThan(secondInsert);
    }

    @Test
    void acknowledgedTransactionsAreNotStreamedAgain() {
        TableRef t = givenTable();
        Lsn start = source.prepare();
        source.publish(t);
        commit(List.of(insert(t, 1, "a", 1)));
        commit(List.of(insert(t, 2, "b", 2)));

        ChangeStream first = open(start);
        List<ChangeEvent> events = collect(first, commits(2));
        ChangeEvent.Commit firstCommit = of(events, ChangeEvent.Commit.class).get(0);
        first.acknowledge(firstCommit.endLsn());
        first.close();

        // Asking for the old start again: the slot's confirmed position must win.
        List<ChangeEvent> replay = collect(open(start), commits(1));
        assertThat(of(replay, ChangeEvent.Insert.class)).extracting(i -> i.newRow().get(0)).containsExactly(2L);
    }

    @Test
    void unacknowledgedTransactionsAreStreamedAgainAfterReconnecting() {
        TableRef t = givenTable();
        Lsn start = source.prepare();
        source.publish(t);
        commit(List.of(insert(t, 1, "a", 1)));

        ChangeStream first = open(start);
        collect(first, commits(1));
        first.close();

        List<ChangeEvent> replay = collect(open(start), commits(1));
        assertThat(of(replay, ChangeEvent.Insert.class)).extracting(i -> i.newRow().get(0)).containsExactly(1L);
        assertThat(of(replay, ChangeEvent.Relation.class)).as("a new session announces the table again").isNotEmpty();
    }

    @Test
    void aKeyChangeCarriesTheOldKey() {
        TableRef t = givenTable();
        Lsn start = source.prepare();
        source.publish(t);
        commit(List.of(insert(t, 1, "a", 1)));
        commit(List.of(new SourceOp.Update(t, RowKey.of(1L), Row.of(5L, "a", 1))));

        ChangeEvent.Update update = of(collect(open(start), commits(2)), ChangeEvent.Update.class).get(0);
        assertThat(update.oldRow()).as("old key image").isNotNull();
        assertThat(update.oldRow().get(0)).isEqualTo(1L);
        assertThat(update.newRow()).isEqualTo(Row.of(5L, "a", 1));
    }

    @Test
    void unchangedToastedValuesAreMarkedInUpdates() {
        TableRef t = givenTable();
        Lsn start = source.prepare();
        source.publish(t);
        String big = incompressible(20_000);
        commit(List.of(insert(t, 1, big, 1)));
        commit(List.of(new SourceOp.SetColumns(t, RowKey.of(1L), Map.of("qty", 2))));

        List<ChangeEvent> events = collect(open(start), commits(2));

        assertThat(of(events, ChangeEvent.Insert.class).get(0).newRow().get(1)).isEqualTo(big);
        Row updated = of(events, ChangeEvent.Update.class).get(0).newRow();
        assertThat(updated.get(0)).isEqualTo(1L);
        assertThat(updated.get(1)).isSameAs(UnchangedToast.INSTANCE);
        assertThat(updated.get(2)).isEqualTo(2);
    }

    @Test
    void anAddedColumnIsAnnouncedByARelationBeforeTheNextChange() {
        TableRef t = givenTable();
        Lsn start = source.prepare();
        source.publish(t);
        commit(List.of(insert(t, 1, "a", 1)));
        addColumn(t, Column.of("extra", ColumnType.TEXT, true));
        commit(List.of(new SourceOp.Insert(t, Row.of(2L, "b", 2, "x"))));

        List<ChangeEvent> events = collect(open(start), commits(2));

        int second = indexOf(events, e -> e instanceof ChangeEvent.Insert i && i.newRow().get(0).equals(2L));
        ChangeEvent.Relation latest = null;
        for (ChangeEvent e : events.subList(0, second)) {
            if (e instanceof ChangeEvent.Relation r && r.schema().table().equals(t)) {
                latest = r;
            }
        }
        assertThat(latest).isNotNull();
        assertThat(latest.schema().columnNames()).containsExactly("id", "name", "qty", "extra");
        assertThat(((ChangeEvent.Insert) events.get(second)).newRow()).isEqualTo(Row.of(2L, "b", 2, "x"));
    }

    @Test
    void aSnapshotIsOrderedExactlyAgainstTheStreamByItsConsistentPoint() {
        TableRef t = givenTable();
        Lsn start = source.prepare();
        source.publish(t);
        commit(List.of(insert(t, 1, "before", 1)));

        SnapshotSession snapshot = source.openSnapshot();
        snapshots.add(snapshot);
        Lsn point = snapshot.consistentPoint();
        commit(List.of(insert(t, 2, "after", 2)));
        commit(List.of(new SourceOp.Update(t, RowKey.of(1L), Row.of(1L, "changed after", 1))));
        TableSchema schema = source.describe(t).orElseThrow();

        List<Row> copied = copy(snapshot, schema, 2);
        assertThat(copied).containsExactly(Row.of(1L, "before", 1));
        assertThat(snapshot.estimateRows(t, List.of())).isGreaterThanOrEqualTo(0);

        List<ChangeEvent.Commit> commits = of(collect(open(start), commits(3)), ChangeEvent.Commit.class);
        assertThat(commits.get(0).commitLsn()).as("a commit inside the snapshot").isLessThanOrEqualTo(point);
        assertThat(commits.get(1).commitLsn()).as("a commit after the snapshot").isGreaterThanOrEqualTo(point);
        assertThat(commits.get(2).commitLsn()).as("a commit after the snapshot").isGreaterThanOrEqualTo(point);
    }

    /** A burst of new tables is copied from one session, table after table, every one at its consistent point. */
    @Test
    void oneSnapshotCopiesSeveralTablesOneAfterAnotherAllAtItsPoint() {
        TableRef first = givenTable();
        TableRef second = givenTable();
        TableRef third = givenTable();
        commit(List.of(insert(first, 1, "first", 1), insert(second, 2, "second", 2), insert(third, 3, "third", 3)));

        SnapshotSession snapshot = source.openSnapshot();
        snapshots.add(snapshot);
        commit(List.of(insert(first, 10, "after", 10), insert(second, 20, "after", 20), insert(third, 30, "after", 30)));

        assertThat(copy(snapshot, source.describe(first).orElseThrow(), 1)).containsExactly(Row.of(1L, "first", 1));
        assertThat(copy(snapshot, source.describe(second).orElseThrow(), 2)).containsExactly(Row.of(2L, "second", 2));
        commit(List.of(new SourceOp.Delete(third, RowKey.of(3L))));
        assertThat(copy(snapshot, source.describe(third).orElseThrow(), 1)).containsExactly(Row.of(3L, "third", 3));
        assertThat(copy(snapshot, source.describe(first).orElseThrow(), 1)).as("the first table again")
                .containsExactly(Row.of(1L, "first", 1));
    }

    @Test
    void aParallelCopyDeliversEveryRowExactlyOnce() {
        TableRef t = givenTable();
        List<SourceOp> ops = new ArrayList<>();
        for (int i = 1; i <= 3000; i++) {
            ops.add(insert(t, i, "row " + i, i % 100));
        }
        commit(ops);
        SnapshotSession snapshot = source.openSnapshot();
        snapshots.add(snapshot);

        List<Row> copied = copy(snapshot, source.describe(t).orElseThrow(), 3);

        assertThat(copied).hasSize(3000);
        Set<Object> ids = new HashSet<>();
        copied.forEach(r -> ids.add(r.get(0)));
        assertThat(ids).hasSize(3000);
        assertThat(copied).contains(Row.of(1234L, "row 1234", 34));
    }

    /**
     * Every row lies in a range the copy reports once the row was delivered; a later copy given all those ranges as
     * finished reads nothing but rows on pages added since; given half of them, exactly the rows the other half held.
     */
    @Test
    void aCopyReportsRangesCoveringEveryRowAndSkipsTheFinishedOnes() {
        TableRef t = givenTable();
        List<SourceOp> ops = new ArrayList<>();
        for (int i = 1; i <= 3000; i++) {
            ops.add(insert(t, i, "row " + i, i % 100));
        }
        commit(ops);
        TableSchema schema = source.describe(t).orElseThrow();
        List<io.echodb.core.port.out.CopyRange> ranges = Collections.synchronizedList(new ArrayList<>());
        java.util.Map<io.echodb.core.port.out.CopyRange, List<Row>> rowsOf = new java.util.concurrent.ConcurrentHashMap<>();
        SnapshotSession first = source.openSnapshot();
        snapshots.add(first);
        Map<Thread, List<Row>> open = new java.util.concurrent.ConcurrentHashMap<>();
        first.copy(schema, Set.of(), 2, List.of(), new io.echodb.core.port.out.CopyReceiver() {
            @Override
            public void accept(List<Row> rows) {
                open.computeIfAbsent(Thread.currentThread(), x -> new ArrayList<>()).addAll(rows);
            }

            @Override
            public void rangeFinished(io.echodb.core.port.out.CopyRange range) {
                ranges.add(range);
                rowsOf.put(range, new ArrayList<>(open.getOrDefault(Thread.currentThread(), List.of())));
                open.remove(Thread.currentThread());
            }
        });
        assertThat(open.values()).as("rows delivered outside any reported range").allMatch(List::isEmpty);
        assertThat(rowsOf.values().stream().mapToInt(List::size).sum()).isEqualTo(3000);
        assertThat(first.estimateRows(t, List.of())).as("an estimate of all rows").isBetween(1500L, 6000L);
        assertThat(first.estimateRows(t, List.copyOf(ranges))).as("nothing left once every range finished").isZero();

        commit(List.of(insert(t, 5000, "after the first copy", 1)));
        SnapshotSession second = source.openSnapshot();
        snapshots.add(second);
        List<Row> again = Collections.synchronizedList(new ArrayList<>());
        second.copy(schema, Set.of(), 2, List.copyOf(ranges), again::addAll);
        assertThat(again).as("all finished: only what no finished range covered").allMatch(r -> r.get(0).equals(5000L));

        if (ranges.size() > 1) {
            // The first half by page: the open-ended last range, where the row inserted since lands, is never in it
            // (ranges finish in any order, so the order they were reported in would make this depend on timing).
            List<io.echodb.core.port.out.CopyRange> byPage = new ArrayList<>(ranges);
            byPage.sort(java.util.Comparator.comparingLong(io.echodb.core.port.out.CopyRange::firstPage));
            List<io.echodb.core.port.out.CopyRange> half = byPage.subList(0, byPage.size() / 2);
            List<Row> rest = Collections.synchronizedList(new ArrayList<>());
            SnapshotSession third = source.openSnapshot();
            snapshots.add(third);
            third.copy(schema, Set.of(), 2, List.copyOf(half), rest::addAll);
            List<Row> expected = new ArrayList<>();
            byPage.subList(byPage.size() / 2, byPage.size()).forEach(r -> expected.addAll(rowsOf.get(r)));
            expected.add(Row.of(5000L, "after the first copy", 1));
            assertThat(rest).containsExactlyInAnyOrderElementsOf(expected);
            // what a resumed copy has left to read, for its progress (statistics scaled by pages: about, not exactly)
            assertThat(third.estimateRows(t, List.copyOf(half))).as("rows left outside the finished half")
                    .isBetween(expected.size() / 2L, expected.size() * 2L);
        }
    }

    @Test
    void teardownIsIdempotentAndPrepareWorksAgainAfterIt() {
        source.prepare();
        source.teardown();
        source.teardown();
        Lsn again = source.prepare();
        assertThat(again).isNotNull();
        TableRef t = givenTable();
        source.publish(t);
        commit(List.of(insert(t, 1, "a", 1)));
        assertThat(of(collect(open(again), commits(1)), ChangeEvent.Insert.class)).hasSize(1);
    }

    // ================================================================ helpers for subclasses and tests

    /** A new table (id INT64 key, name TEXT, qty INT32) with a unique name. */
    protected TableRef givenTable() {
        TableRef t = newTableRef();
        createTable(t, List.of(ID, NAME, QTY), List.of("id"));
        return t;
    }

    protected TableRef newTableRef() {
        return TableRef.of(schemaName(), "cs_" + TABLES.incrementAndGet() + "_" + Long.toString(System.nanoTime() % 1_000_000, 36));
    }

    protected static SourceOp insert(TableRef t, long id, String name, int qty) {
        return new SourceOp.Insert(t, Row.of(id, name, qty));
    }

    protected ChangeStream open(Lsn from) {
        ChangeStream s = source.openStream(from);
        streams.add(s);
        return s;
    }

    protected static Predicate<List<ChangeEvent>> commits(int n) {
        return events -> events.stream().filter(e -> e instanceof ChangeEvent.Commit).count() >= n;
    }

    /** Polls until {@code done} holds for the events seen (keepalives left out) or {@link #WAIT} passes. */
    protected static List<ChangeEvent> collect(ChangeStream stream, Predicate<List<ChangeEvent>> done) {
        List<ChangeEvent> events = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.test(events)) {
            if (System.nanoTime() > deadline) {
                fail("stream did not deliver the expected events within " + WAIT + "; got " + events);
            }
            Optional<ChangeEvent> e = stream.poll(Duration.ofMillis(200));
            e.filter(x -> !(x instanceof ChangeEvent.Keepalive)).ifPresent(events::add);
        }
        return events;
    }

    protected static List<Row> copy(SnapshotSession snapshot, TableSchema schema, int parallelism) {
        List<Row> rows = Collections.synchronizedList(new ArrayList<>());
        snapshot.copy(schema, java.util.Set.of(), parallelism, List.of(), rows::addAll);
        return new ArrayList<>(rows);
    }

    protected static <T extends ChangeEvent> List<T> of(List<ChangeEvent> events, Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static int indexOf(List<ChangeEvent> events, Predicate<ChangeEvent> p) {
        for (int i = 0; i < events.size(); i++) {
            if (p.test(events.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static void assertTransactionsAreWellFormed(List<ChangeEvent> events) {
        boolean open = false;
        for (ChangeEvent e : events) {
            if (e instanceof ChangeEvent.Begin) {
                assertThat(open).as("Begin inside a transaction").isFalse();
                open = true;
            } else if (e instanceof ChangeEvent.Commit) {
                assertThat(open).as("Commit without Begin").isTrue();
                open = false;
            } else if (e instanceof ChangeEvent.Insert || e instanceof ChangeEvent.Update || e instanceof ChangeEvent.Delete
                    || e instanceof ChangeEvent.Truncate) {
                assertThat(open).as("row change outside a transaction: " + e).isTrue();
            }
        }
    }

    /** Random letters and digits: PostgreSQL's compression cannot shrink them below the TOAST threshold. */
    protected static String incompressible(int length) {
        Random random = new Random(42);
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
