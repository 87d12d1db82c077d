package io.echodb.adapters.clickhouse;

import io.echodb.core.model.InvalidValueException;
import java.util.Locale;

/** What happens to a target column whose source column was dropped. */
public enum DropColumnPolicy {
    /** The column stays with its data; new rows get the column's default (NULL when Nullable). */
    KEEP,
    /** The column is dropped from the target too (never a key column). */
    DROP;

    /** Parses {@code keep} or {@code drop} (any case). */
    public static DropColumnPolicy parse(String text) {
        if (text != null) {
            switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "keep":
                    return KEEP;
                case "drop":
                    return DROP;
                default:
                    break;
            }
        }
        throw InvalidValueException.of("drop-column policy", text, "must be keep or drop");
    }
}
