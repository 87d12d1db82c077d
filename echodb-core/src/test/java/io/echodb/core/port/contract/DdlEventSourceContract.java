package io.echodb.core.port.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.DdlEvent;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.DdlEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Contract of {@link DdlEventSource}. The emit hooks run real DDL on the source database (CREATE/DROP/ALTER/RENAME
 * TABLE); every test works on fresh table names and only looks at events of its own tables, so a shared database is
 * fine. Events of one committed DDL statement must be readable once the hook returns (the outbox is written in the
 * DDL's transaction); the contract still polls for up to {@link #eventTimeout()} to allow an asynchronous adapter.
 */
public abstract class DdlEventSourceContract {

    protected DdlEventSource source;

    /** A source over the database the emit hooks change; called before each test. */
    protected abstract DdlEventSource newSource();

    /** Another instance over the same durable cursor and log, as a restarted worker or a new leader opens it. */
    protected abstract DdlEventSource reopen();

    /** CREATE TABLE {@code table} (any columns). */
    protected abstract void emitCreate(TableRef table);

    /** DROP TABLE {@code table}. */
    protected abstract void emitDrop(TableRef table);

    /** ALTER TABLE {@code table} ... (e.g. ADD COLUMN). */
    protected abstract void emitAlter(TableRef table);

    /** ALTER TABLE {@code from} RENAME TO {@code to}'s name ({@code to} is in the same schema). */
    protected abstract void emitRename(TableRef from, TableRef to);

    /** Schema the tests create tables in. */
    protected String schema() {
        return "public";
    }

    protected Duration eventTimeout() {
        return Duration.ofSeconds(10);
    }

    @BeforeEach
    void openSource() {
        source = newSource();
    }

    @Test
    void createdTableIsReportedAfterTheCursor() {
        long base = head(source);
        TableRef t = table();
        Instant before = Instant.now().minusSeconds(60);
        emitCreate(t);
        List<DdlEvent> events = awaitEventsOf(source, base, t, 1);
        assertThat(events).hasSize(1);
        assertThat(events.get(0)).isInstanceOf(DdlEvent.TableCreated.class);
        assertThat(events.get(0).table()).isEqualTo(t);
        assertThat(events.get(0).position()).isGreaterThan(base);
        assertThat(events.get(0).at()).isAfter(before);
    }

    @Test
    void dropFollowsCreateInCommitOrder() {
        long base = head(source);
        TableRef t = table();
        emitCreate(t);
        emitDrop(t);
        List<DdlEvent> events = awaitEventsOf(source, base, t, 2);
        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly("TableCreated", "TableDropped");
        assertThat(events.get(1).position()).isGreaterThan(events.get(0).position());
    }

    @Test
    void alterIsReported() {
        long base = head(source);
        TableRef t = table();
        emitCreate(t);
        emitAlter(t);
        List<DdlEvent> events = awaitEventsOf(source, base, t, 2);
        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly("TableCreated", "TableAltered");
    }

    @Test
    void renameNamesTheOldAndTheNewTable() {
        TableRef from = table();
        TableRef to = table();
        emitCreate(from);
        long base = head(source);
        emitRename(from, to);
        List<DdlEvent> events = awaitEvents(source, base, e -> e instanceof DdlEvent.TableRenamed, 1);
        DdlEvent.TableRenamed renamed = (DdlEvent.TableRenamed) events.get(events.size() - 1);
        assertThat(renamed.from()).isEqualTo(from);
        assertThat(renamed.table()).isEqualTo(to);
    }

    @Test
    void readPagesOldestFirstAndHonoursMax() {
        long base = head(source);
        List<TableRef> tables = List.of(table(), table(), table());
        tables.forEach(this::emitCreate);
        awaitEventsOf(source, base, tables.get(2), 1);

        List<DdlEvent> all = source.read(base, 1_000, Duration.ZERO);
        List<DdlEvent> paged = new ArrayList<>();
        long after = base;
        while (true) {
            List<DdlEvent> page = source.read(after, 2, Duration.ZERO);
            assertThat(page.size()).isLessThanOrEqualTo(2);
            if (page.isEmpty()) {
                break;
            }
            paged.addAll(page);
            after = page.get(page.size() - 1).position();
        }
        assertThat(paged).isEqualTo(all);
        assertThat(all).extracting(DdlEvent::position).isSorted().doesNotHaveDuplicates().allMatch(p -> p > base);
        assertThat(all).filteredOn(e -> e instanceof DdlEvent.TableCreated).extracting(DdlEvent::table)
                .containsSubsequence(tables);
    }

    @Test
    void readAfterTheHeadIsEmptyOnceTheWaitIsOver() {
        long head = head(source);
        assertThat(source.read(head, 10, Duration.ofMillis(200))).isEmpty();
    }

    @Test
    void readingDoesNotAcknowledge() {
        long acked = source.acknowledgedPosition();
        long base = head(source);
        TableRef t = table();
        emitCreate(t);
        awaitEventsOf(source, base, t, 1);
        assertThat(source.acknowledgedPosition()).isEqualTo(acked);
    }

    @Test
    void acknowledgeMovesTheCursorAndNeverBackwards() {
        long base = head(source);
        TableRef a = table();
        TableRef b = table();
        emitCreate(a);
        emitCreate(b);
        long first = awaitEventsOf(source, base, a, 1).get(0).position();
        long second = awaitEventsOf(source, base, b, 1).get(0).position();

        source.acknowledge(second);
        assertThat(source.acknowledgedPosition()).isEqualTo(second);
        source.acknowledge(first);
        assertThat(source.acknowledgedPosition()).isEqualTo(second);
        assertThat(source.read(source.acknowledgedPosition(), 100, Duration.ZERO))
                .noneMatch(e -> e.table().equals(a) || e.table().equals(b));
    }

    @Test
    void theCursorIsDurableAcrossInstances() {
        long base = head(source);
        TableRef t = table();
        emitCreate(t);
        long position = awaitEventsOf(source, base, t, 1).get(0).position();
        source.acknowledge(position);

        assertThat(reopen().acknowledgedPosition()).isEqualTo(position);
    }

    @Test
    void eventsEmittedWhileNobodyReadsAreReadByTheNextInstance() {
        source.acknowledge(head(source));
        TableRef t = table();
        emitCreate(t);
        emitDrop(t);

        DdlEventSource next = reopen();
        List<DdlEvent> events = awaitEventsOf(next, next.acknowledgedPosition(), t, 2);
        assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly("TableCreated", "TableDropped");
    }

    // --- helpers

    protected TableRef table() {
        return TableRef.of(schema(), ContractNames.unique("ddl"));
    }

    /** Position of the newest event readable now (at least the acknowledged position). */
    protected static long head(DdlEventSource s) {
        long after = s.acknowledgedPosition();
        while (true) {
            List<DdlEvent> page = s.read(after, 500, Duration.ZERO);
            if (page.isEmpty()) {
                return after;
            }
            after = page.get(page.size() - 1).position();
        }
    }

    private List<DdlEvent> awaitEventsOf(DdlEventSource s, long after, TableRef table, int atLeast) {
        return awaitEvents(s, after, e -> concerns(e, table), atLeast);
    }

    private List<DdlEvent> awaitEvents(DdlEventSource s, long after, Predicate<DdlEvent> filter, int atLeast) {
        long deadline = System.nanoTime() + eventTimeout().toNanos();
        while (true) {
            List<DdlEvent> matching = new ArrayList<>();
            long from = after;
            List<DdlEvent> page;
            do {
                page = s.read(from, 500, Duration.ZERO);
                page.stream().filter(filter).forEach(matching::add);
                if (!page.isEmpty()) {
                    from = page.get(page.size() - 1).position();
                }
            } while (!page.isEmpty());
            if (matching.size() >= atLeast || System.nanoTime() > deadline) {
                assertThat(matching).as("events after %d", after).hasSizeGreaterThanOrEqualTo(atLeast);
                return matching;
            }
            s.read(from, 1, Duration.ofMillis(100));
        }
    }

    private static boolean concerns(DdlEvent e, TableRef table) {
        return e.table().equals(table) || (e instanceof DdlEvent.TableRenamed r && r.from().equals(table));
    }
}
