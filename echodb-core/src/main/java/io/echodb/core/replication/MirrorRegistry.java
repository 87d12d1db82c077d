package io.echodb.core.replication;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.TableSchema;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** The engine's mirrors by name and by source table. Changed under the engine lock; readable from any thread. */
final class MirrorRegistry {

    private final ConcurrentSkipListMap<MirrorName, MirrorRuntime> byName = new ConcurrentSkipListMap<>();
    private final ConcurrentHashMap<TableRef, MirrorRuntime> byTable = new ConcurrentHashMap<>();
    /** Mirrors by the source relation they follow (known ones only): a renamed table keeps its relation. */
    private final ConcurrentHashMap<Long, MirrorRuntime> byRelation = new ConcurrentHashMap<>();

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

    /** The mirror following source relation {@code relationId}, or null (also for the unknown relation). */
    MirrorRuntime forRelation(long relationId) {
        return relationId == TableSchema.UNKNOWN_RELATION ? null : byRelation.get(relationId);
    }

    /** {@code m} follows {@code relationId} from now on (a copy described a new generation of its table). */
    void follow(MirrorRuntime m, long relationId) {
        byRelation.remove(m.relationId, m);
        m.relationId = relationId;
        if (relationId != TableSchema.UNKNOWN_RELATION) {
            byRelation.put(relationId, m);
        }
    }

    /** {@code m} is known by {@code renamed}'s name and table from now on. */
    void rename(MirrorRuntime m, MirrorSpec renamed) {
        byName.remove(m.name(), m);
        byTable.remove(m.table(), m);
        m.renameTo(renamed);
        byName.put(m.name(), m);
        byTable.put(m.table(), m);
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
        if (m.relationId != TableSchema.UNKNOWN_RELATION) {
            byRelation.put(m.relationId, m);
        }
    }

    void remove(MirrorRuntime m) {
        byName.remove(m.name(), m);
        byTable.remove(m.table(), m);
        byRelation.remove(m.relationId, m);
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
