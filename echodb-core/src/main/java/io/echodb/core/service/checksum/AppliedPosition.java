package io.echodb.core.service.checksum;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import java.util.Optional;

/**
 * The source position up to which the mirror of a table has written every change to the target (for the native
 * engine: the replication slot's confirmed flush position); empty when the engine does not tell.
 */
@FunctionalInterface
public interface AppliedPosition {

    /** For engines that report nothing: readings are compared as they are, and lag decides. */
    AppliedPosition UNKNOWN = table -> Optional.empty();

    Optional<Lsn> applied(TableRef table);
}
