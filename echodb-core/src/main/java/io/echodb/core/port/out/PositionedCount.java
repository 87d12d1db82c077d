package io.echodb.core.port.out;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.TableRef;
import java.util.Objects;

/** Live rows of a source table counted in a snapshot, and the source position (WAL) that snapshot stands at. */
public record PositionedCount(TableRef table, long count, Lsn position) {

    public PositionedCount {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(position, "position");
        if (count < 0) {
            throw InvalidValueException.of("row count", count, "must be >= 0");
        }
    }
}
