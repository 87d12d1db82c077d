package io.echodb.core.service;

import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.TableRef;
import java.util.List;
import java.util.Objects;

/**
 * Outcome of one reconciliation sweep. {@code complete} is false when the sweep stopped early (a retryable engine
 * failure, or leadership lost); what was done until then is listed.
 */
public record ReconcileResult(
        List<MirrorName> created,
        List<MirrorName> dropped,
        List<Failure> failed,
        int unchanged,
        boolean complete) {

    /** One mirror that could not be created or dropped. */
    public record Failure(TableRef table, MirrorName mirror, String operation, String message, boolean retryable) {
        public Failure {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(mirror, "mirror");
            Objects.requireNonNull(operation, "operation");
            Objects.requireNonNull(message, "message");
        }
    }

    public ReconcileResult {
        created = List.copyOf(created);
        dropped = List.copyOf(dropped);
        failed = List.copyOf(failed);
        if (unchanged < 0) {
            throw InvalidValueException.of("unchanged", unchanged, "must be >= 0");
        }
    }

    /** True when the sweep changed nothing and nothing failed. */
    public boolean isNoop() {
        return created.isEmpty() && dropped.isEmpty() && failed.isEmpty() && complete;
    }
}
