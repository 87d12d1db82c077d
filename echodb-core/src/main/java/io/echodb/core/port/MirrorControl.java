package io.echodb.core.port;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorStatus;
import java.util.List;
import java.util.Optional;

/**
 * Outbound command: creates and manages mirrors in a mirror engine; blocking; idempotent (creating an existing
 * mirror or dropping a missing one is a no-op); never returns null. Failures throw {@link MirrorEngineException}.
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

    /** Copies the table again from scratch while changes keep flowing. */
    void resync(MirrorName name);

    /** Every mirror this engine manages, sorted by name. */
    List<MirrorStatus> list();

    /** One mirror's status, or empty when unknown. */
    Optional<MirrorStatus> status(MirrorName name);
}
