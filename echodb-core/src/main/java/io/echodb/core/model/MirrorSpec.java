package io.echodb.core.model;

import java.util.Objects;

/** What to mirror: one source table into one target table. */
public record MirrorSpec(MirrorName name, TableRef source, String targetTable) {

    public MirrorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        if (targetTable == null || targetTable.isBlank() || targetTable.indexOf('\0') >= 0) {
            throw InvalidValueException.of("target table", targetTable, "must be a non-blank name without NUL");
        }
    }
}
