package io.echodb.core.testing;

import io.echodb.core.model.DdlEvent;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.DdlEventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * In-memory {@link DdlEventSource}: an append-only log with one shared cursor, like the outbox table. The emit
 * methods stand in for DDL run on the source. {@link #read} really waits (on a monitor) when the log has nothing new,
 * so it also works for threaded runner tests; unit tests pass a zero wait.
 */
public final class InMemoryDdlEventSource implements DdlEventSource {

    private final Clock clock;
    private final List<DdlEvent> log = new ArrayList<>();
    private long acknowledged;
    private RuntimeException outage;
    private int reads;

    public InMemoryDdlEventSource() {
        this(Clock.systemUTC());
    }

    public InMemoryDdlEventSource(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public synchronized DdlEvent emitCreate(TableRef table) {
        return append(new DdlEvent.TableCreated(nextPosition(), table, clock.instant()));
    }

    public synchronized DdlEvent emitDrop(TableRef table) {
        return append(new DdlEvent.TableDropped(nextPosition(), table, clock.instant()));
    }

    public synchronized DdlEvent emitAlter(TableRef table) {
        return append(new DdlEvent.TableAltered(nextPosition(), table, clock.instant()));
    }

    public synchronized DdlEvent emitRename(TableRef from, TableRef to) {
        return append(new DdlEvent.TableRenamed(nextPosition(), from, to, clock.instant()));
    }

    /** Every event ever emitted, oldest first. */
    public synchronized List<DdlEvent> events() {
        return List.copyOf(log);
    }

    /** Position of the newest event (0 when none). */
    public synchronized long head() {
        return log.isEmpty() ? 0 : log.get(log.size() - 1).position();
    }

    /** Number of {@link #read} calls so far. */
    public synchronized int reads() {
        return reads;
    }

    /** Makes every call throw {@code failure} until {@link #heal()}: the source database is unreachable. */
    public synchronized void failWith(RuntimeException failure) {
        outage = Objects.requireNonNull(failure, "failure");
    }

    public synchronized void heal() {
        outage = null;
    }

    @Override
    public synchronized List<DdlEvent> read(long afterPosition, int max, Duration maxWait) {
        reads++;
        checkAvailable();
        long deadline = System.nanoTime() + maxWait.toNanos();
        List<DdlEvent> out = after(afterPosition, max);
        while (out.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return out;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return out;
            }
            checkAvailable();
            out = after(afterPosition, max);
        }
        return out;
    }

    @Override
    public synchronized long acknowledgedPosition() {
        checkAvailable();
        return acknowledged;
    }

    @Override
    public synchronized void acknowledge(long position) {
        checkAvailable();
        acknowledged = Math.max(acknowledged, position);
    }

    private List<DdlEvent> after(long afterPosition, int max) {
        List<DdlEvent> out = new ArrayList<>();
        for (DdlEvent e : log) {
            if (e.position() > afterPosition && out.size() < max) {
                out.add(e);
            }
        }
        return out;
    }

    private long nextPosition() {
        return head() + 1;
    }

    private DdlEvent append(DdlEvent event) {
        log.add(event);
        notifyAll();
        return event;
    }

    private void checkAvailable() {
        if (outage != null) {
            throw outage;
        }
    }
}
