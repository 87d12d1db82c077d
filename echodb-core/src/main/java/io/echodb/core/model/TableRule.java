package io.echodb.core.model;

import java.util.Objects;

/** One entry of the table settings: tables matching {@code match} get {@code settings} and, when set, {@code target}. */
public record TableRule(TableGlob match, TableSettings settings, String target) {

    public TableRule {
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(settings, "settings");
        if (target != null && (target.isBlank() || target.indexOf('\0') >= 0)) {
            throw InvalidValueException.of("target", target, "must be a non-blank table name without NUL");
        }
        if (target != null && (match.glob().contains("*") || match.glob().contains("?"))) {
            throw InvalidValueException.of("target", target, "needs a match naming one table, not the pattern "
                    + match.glob() + " (every matching table would write into it)");
        }
    }
}
