package io.echodb.adapters.postgres.ddl;

import io.echodb.core.model.InvalidValueException;
import java.util.Locale;

/** How DDL is captured: by event triggers inside the DDL's transaction, or by sweeping the catalog. */
public enum DdlCaptureMode {
    /** Event triggers when they can be installed (or an administrator installed them), else the catalog sweep. */
    AUTO,
    /** Event triggers only: start-up stops when they cannot be installed. */
    EVENT_TRIGGERS,
    /** The catalog sweep only; no event trigger is installed. */
    CATALOG;

    /** {@code auto}, {@code event-triggers} or {@code catalog}. */
    public static DdlCaptureMode parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "auto" -> AUTO;
            case "event-triggers" -> EVENT_TRIGGERS;
            case "catalog" -> CATALOG;
            default -> throw InvalidValueException.of("DDL capture mode", text, "must be auto, event-triggers or catalog");
        };
    }

    /** The configuration spelling. */
    public String text() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
