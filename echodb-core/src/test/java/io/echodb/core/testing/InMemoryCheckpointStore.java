package io.echodb.core.testing;

import io.echodb.core.model.MirrorName;
import io.echodb.core.port.out.CheckpointStore;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.core.port.out.MirrorRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/** Mirror records in a sorted map; survives engines built on the same instance (a "restart"). Thread-safe. */
public final class InMemoryCheckpointStore implements CheckpointStore {

    private final TreeMap<MirrorName, MirrorRecord> records = new TreeMap<>();
    private int saves;
    private boolean unavailable;

    /** While true, saves fail as an unreachable database would. */
    public synchronized void setUnavailable(boolean value) {
        unavailable = value;
    }

    @Override
    public synchronized List<MirrorRecord> loadAll() {
        return new ArrayList<>(records.values());
    }

    @Override
    public synchronized void save(MirrorRecord record) {
        Objects.requireNonNull(record, "record");
        if (unavailable) {
            throw SourceUnavailableException.of("save mirror " + record.spec().name(), null);
        }
        records.put(record.spec().name(), record);
        saves++;
    }

    @Override
    public synchronized void delete(MirrorName name) {
        records.remove(name);
    }

    @Override
    public synchronized void rename(MirrorName from, MirrorRecord renamed) {
        if (records.remove(from) == null) {
            throw io.echodb.core.port.in.MirrorNotFoundException.of(from);
        }
        records.put(renamed.spec().name(), renamed);
    }

    /** The stored record of {@code name}, or null. */
    public synchronized MirrorRecord get(MirrorName name) {
        return records.get(name);
    }

    public synchronized int saves() {
        return saves;
    }
}
