package io.echodb.core.service;

import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.in.MirrorControl;

/** How far a table's mirror trails the source, in bytes of WAL not yet applied (0 when caught up or unknown). */
@FunctionalInterface
public interface LagProbe {

    /** For engines that report nothing: always caught up. */
    LagProbe NONE = table -> 0;

    long lagBytes(TableRef table);

    /** Reads the lag the engine reports in {@link MirrorStatus#lagBytes()} for the table's mirror. */
    static LagProbe fromMirrors(MirrorControl mirrors) {
        return table -> mirrors.list().stream()
                .filter(s -> s.spec().source().equals(table))
                .mapToLong(MirrorStatus::lagBytes)
                .max()
                .orElse(0);
    }
}
