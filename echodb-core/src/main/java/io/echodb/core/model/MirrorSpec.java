package io.echodb.core.model;

import java.util.Objects;

/** What to mirror: one source table into one target table, laid out as {@code settings} say. */
public record MirrorSpec(MirrorName name, TableRef source, String targetTable, TableSettings settings) {

    /** A mirror with the default layout. */
    public MirrorSpec(MirrorName name, TableRef source, String targetTable) {
        this(name, source, targetTable, TableSettings.DEFAULTS);
    }

    public MirrorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        settings = settings == null ? TableSettings.DEFAULTS : settings;
        if (targetTable == null || targetTable.isBlank() || targetTable.indexOf('\0') >= 0) {
            throw InvalidValueException.of("target table", targetTable, "must be a non-blank name without NUL");
        }
    }

    public MirrorSpec withSettings(TableSettings newSettings) {
        return new MirrorSpec(name, source, targetTable, newSettings);
    }
}
