package io.echodb.core.port.out;

import io.echodb.core.port.in.MirrorNotFoundException;
import io.echodb.core.model.MirrorName;
import java.util.List;

/** Driven: durable registry of the native engine's mirrors; blocking; never returns null. */
public interface CheckpointStore {

    /** Every stored mirror record, sorted by name. */
    List<MirrorRecord> loadAll();

    /** Inserts or replaces the record of {@code record.spec().name()}. */
    void save(MirrorRecord record);

    /** Removes the record; no-op when absent. */
    void delete(MirrorName name);

    /**
     * Replaces the record of {@code from} by {@code renamed} (another name) in one step: after a crash exactly one of
     * them is stored. Throws {@link MirrorNotFoundException} when {@code from} is not stored.
     */
    void rename(MirrorName from, MirrorRecord renamed);
}
