package io.echodb.core.testing;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.AsOfCount;
import io.echodb.core.port.out.PositionedCount;
import io.echodb.core.port.out.PositionedRowCounter;
import io.echodb.core.port.out.RowCounterAsOf;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * Both sides of a positioned count in memory: a source whose commits move one WAL position and set a table's count
 * ({@link #commit}), and a target that holds the counts the engine has applied up to a position ({@link #apply}), so
 * {@link #target()} counts as of a position. {@link #tamper} changes the target behind the engine's back.
 */
public final class InMemoryPositionedCounts {

    private final Map<TableRef, TreeMap<Long, Long>> sourceHistory = new HashMap<>();
    private final Map<TableRef, TreeMap<Long, Long>> targetHistory = new HashMap<>();
    private final Map<TableRef, Long> tampering = new HashMap<>();
    private final Map<TableRef, Long> mergedAway = new HashMap<>();
    private long position = 100;
    private long applied = 100;

    /** Commits a transaction that leaves {@code table} with {@code rows}; returns its commit position. */
    public synchronized Lsn commit(TableRef table, long rows) {
        position += 10;
        sourceHistory.computeIfAbsent(table, t -> new TreeMap<>()).put(position, rows);
        targetHistory.computeIfAbsent(table, t -> new TreeMap<>());
        return Lsn.of(position);
    }

    /** Unrelated WAL: the position moves, no table changes. */
    public synchronized void otherWal() {
        position += 10;
    }

    /** The engine writes every commit before {@code upTo} to the target. */
    public synchronized void apply(Lsn upTo) {
        sourceHistory.forEach((table, history) -> history.headMap(upTo.value(), false)
                .forEach((at, rows) -> targetHistory.get(table).put(at, rows)));
        applied = Math.max(applied, upTo.value());
    }

    /** Applies everything committed so far. */
    public synchronized void applyAll() {
        apply(Lsn.of(position + 1));
    }

    /** Adds {@code delta} rows to the target's every reading, as a write behind the engine's back would. */
    public synchronized void tamper(TableRef table, long delta) {
        tampering.merge(table, delta, Long::sum);
    }

    /**
     * {@code keys} keys of the table lost the versions before every later reading position to a merge: they count as
     * undecided instead of live.
     */
    public synchronized void mergeAway(TableRef table, long keys) {
        mergedAway.merge(table, keys, Long::sum);
    }

    /** The position the engine has applied through. */
    public synchronized Lsn applied() {
        return Lsn.of(applied);
    }

    public PositionedRowCounter source() {
        return new PositionedRowCounter() {
            @Override
            public PositionedCount count(TableRef table) {
                return countAtConsistentPoint(table);
            }

            @Override
            public PositionedCount countAtConsistentPoint(TableRef table) {
                synchronized (InMemoryPositionedCounts.this) {
                    position += 1;
                    TreeMap<Long, Long> history = existing(sourceHistory, table);
                    var last = history.floorEntry(position);
                    return new PositionedCount(table, last == null ? 0 : last.getValue(), Lsn.of(position));
                }
            }
        };
    }

    public RowCounterAsOf target() {
        return (table, before) -> {
            synchronized (InMemoryPositionedCounts.this) {
                var last = existing(targetHistory, table).lowerEntry(before.value());
                long rows = (last == null ? 0 : last.getValue()) + tampering.getOrDefault(table, 0L);
                long merged = Math.min(rows, mergedAway.getOrDefault(table, 0L));
                return new AsOfCount(rows - merged, merged);
            }
        };
    }

    private static TreeMap<Long, Long> existing(Map<TableRef, TreeMap<Long, Long>> sides, TableRef table) {
        TreeMap<Long, Long> history = sides.get(table);
        if (history == null) {
            throw new NoSuchElementException("table " + table + " does not exist");
        }
        return history;
    }
}
