package io.echodb.core.model;

import java.time.Instant;
import java.util.Objects;

/** A leadership lease held by {@code holder}; {@code fencingToken} grows with every new acquisition. */
public record Lease(String holder, long fencingToken, Instant expiresAt) {

    public Lease {
        if (holder == null || holder.isBlank()) {
            throw InvalidValueException.of("lease holder", holder, "must not be blank");
        }
        if (fencingToken <= 0) {
            throw InvalidValueException.of("fencing token", fencingToken, "must be > 0");
        }
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
