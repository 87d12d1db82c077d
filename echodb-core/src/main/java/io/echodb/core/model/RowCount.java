package io.echodb.core.model;

import java.time.Instant;
import java.util.Objects;

/** Live rows of a table counted at {@code at}. */
public record RowCount(TableRef table, long count, Instant at) {

    public RowCount {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(at, "at");
        if (count < 0) {
            throw InvalidValueException.of("row count", count, "must be >= 0");
        }
    }
}
