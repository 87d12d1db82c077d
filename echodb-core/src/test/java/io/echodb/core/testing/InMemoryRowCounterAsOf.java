package io.echodb.core.testing;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.AsOfCount;
import io.echodb.core.port.out.RowCounterAsOf;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/** In-memory {@link RowCounterAsOf}: every version of every key, by the commit position that wrote it. */
public final class InMemoryRowCounterAsOf implements RowCounterAsOf {

    /** table → key → commit position → deleted. */
    private final Map<TableRef, Map<Integer, TreeMap<Long, Boolean>>> tables = new HashMap<>();

    public synchronized void createTable(TableRef table) {
        tables.putIfAbsent(table, new HashMap<>());
    }

    public synchronized void write(TableRef table, int key, Lsn commit, boolean deleted) {
        tables.get(table).computeIfAbsent(key, k -> new TreeMap<>()).put(commit.value(), deleted);
    }

    @Override
    public synchronized AsOfCount countBefore(TableRef table, Lsn position) {
        Map<Integer, TreeMap<Long, Boolean>> keys = tables.get(table);
        if (keys == null) {
            throw new NoSuchElementException("table " + table + " does not exist");
        }
        long live = keys.values().stream().map(v -> v.lowerEntry(position.value()))
                .filter(e -> e != null && !e.getValue()).count();
        return AsOfCount.exactly(live); // every version is kept: nothing is ever undecided
    }
}
