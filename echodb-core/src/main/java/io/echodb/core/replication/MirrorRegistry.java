package io.echodb.core.replication;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.TableRef;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** The engine's mirrors by name and by source table. Changed under the engine lock; readable from any thread. */
final class MirrorRegistry {

    private final ConcurrentSkipListMap<MirrorName, MirrorRuntime> byName = new ConcurrentSkipListMap<>();
    private final ConcurrentHashMap<TableRef, MirrorRuntime> byTable = new ConcurrentHashMap<>();

    MirrorRuntime get(MirrorName name) {
        return byName.get(name);
    }

    MirrorRuntime forTable(TableRef table) {
        return byTable.get(table);
    }

    /** The mirror of {@code table} when it is applying changes (snapshotting or running), else null. */
    MirrorRuntime activeFor(TableRef table) {
        MirrorRuntime m = byTable.get(table);
        return m != null && m.isActive() ? m : null;
    }

    MirrorRuntime forTarget(String target) {
        for (MirrorRuntime m : byName.values()) {
            if (m.target().equals(target)) {
                return m;
            }
        }
        return null;
    }

    void add(MirrorRuntime m) {
        byName.put(m.name(), m);
        byTable.put(m.table(), m);
    }

    void remove(MirrorRuntime m) {
        byName.remove(m.name(), m);
        byTable.remove(m.table(), m);
    }

    boolean contains(MirrorRuntime m) {
        return byName.get(m.name()) == m;
    }

    boolean isEmpty() {
        return byName.isEmpty();
    }

    /** Sorted by name. */
    Collection<MirrorRuntime> all() {
        return List.copyOf(byName.values());
    }
}
