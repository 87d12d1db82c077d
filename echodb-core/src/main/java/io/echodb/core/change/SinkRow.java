package io.echodb.core.change;

import io.echodb.core.schema.Row;
import java.util.Objects;

/** A row written to the target with its version; a deleted row carries at least its key values. */
public record SinkRow(Row row, RowVersion version, boolean deleted) {

    public SinkRow {
        Objects.requireNonNull(row, "row");
        Objects.requireNonNull(version, "version");
    }
}
