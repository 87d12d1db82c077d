package io.echodb.core.testing;

import io.echodb.core.model.RowCount;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.RowCounter;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * In-memory {@link RowCounter}. A table's count is fixed ({@link #givenRows}) or scripted
 * ({@link #givenCounts}: successive calls return successive values, the last one repeating), which lets tests model a
 * target that is still catching up.
 */
public final class InMemoryRowCounter implements RowCounter {

    private final Clock clock;
    private final Map<TableRef, Deque<Long>> counts = new HashMap<>();
    private final Map<TableRef, Integer> calls = new HashMap<>();

    public InMemoryRowCounter(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public synchronized void givenRows(TableRef table, long rows) {
        givenCounts(table, rows);
    }

    public synchronized void givenCounts(TableRef table, long... successive) {
        if (successive.length == 0) {
            throw new IllegalArgumentException("give at least one count");
        }
        Deque<Long> script = new ArrayDeque<>();
        for (long c : successive) {
            script.add(c);
        }
        counts.put(table, script);
    }

    public synchronized void dropTable(TableRef table) {
        counts.remove(table);
    }

    /** How many times {@code table} was counted. */
    public synchronized int calls(TableRef table) {
        return calls.getOrDefault(table, 0);
    }

    @Override
    public synchronized RowCount count(TableRef table) {
        calls.merge(table, 1, Integer::sum);
        Deque<Long> script = counts.get(table);
        if (script == null) {
            throw new NoSuchElementException("table " + table + " does not exist");
        }
        long value = script.size() > 1 ? script.poll() : script.peek();
        return new RowCount(table, value, clock.instant());
    }
}
