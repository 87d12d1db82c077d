package io.echodb.core.port.in;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorStatus;
import java.util.List;
import java.util.Optional;

/**
 * Driving: creates and manages mirrors in a mirror engine (called by the runner's API and the control plane);
 * blocking; idempotent (creating an existing mirror or dropping a missing one is a no-op); never returns null.
 * Failures throw {@link MirrorEngineException}.
 */
public interface MirrorControl {

    /** Starts mirroring {@code spec} (snapshot, then changes); returns the status; no-op when the mirror exists. */
    MirrorStatus create(MirrorSpec spec);

    /** Stops mirroring and removes the mirror; the target table is dropped too when {@code dropTarget}. */
    void drop(MirrorName name, boolean dropTarget);

    /** Stops applying changes; throws {@link MirrorNotFoundException} for an unknown mirror. */
    void pause(MirrorName name);

    /** Applies changes again after {@link #pause}; throws {@link MirrorNotFoundException} for an unknown mirror. */
    void resume(MirrorName name);

    /**
     * The mirror now follows its table under another name ({@code to}: the new source table, mirror name and target),
     * keeping the target's rows: the target is renamed, nothing is copied. Empty when this engine cannot do that for
     * this mirror now (another relation under the new name, a copy in progress, a name taken, an engine that cannot
     * rename): the caller then drops the mirror and creates one for the new name. Throws {@link MirrorNotFoundException}
     * for an unknown mirror. Abstract on purpose: a decorator that forgot it would turn every rename into a copy.
     */
    Optional<MirrorStatus> rename(MirrorName name, MirrorSpec to);

    /** Copies the table again from scratch while changes keep flowing. */
    void resync(MirrorName name);

    /** Every mirror this engine manages, sorted by name. */
    List<MirrorStatus> list();

    /** One mirror's status, or empty when unknown. */
    Optional<MirrorStatus> status(MirrorName name);
}
