package io.echodb.core.schema;

import io.echodb.core.model.InvalidValueException;
import java.util.Objects;

/** A source column; {@code sourceType} is PostgreSQL's own spelling, kept for reports. */
public record Column(String name, ColumnType type, boolean nullable, String sourceType) {

    public Column {
        if (name == null || name.isEmpty()) {
            throw InvalidValueException.of("column name", name, "must not be empty");
        }
        Objects.requireNonNull(type, "type");
        sourceType = sourceType == null ? type.getClass().getSimpleName().toLowerCase() : sourceType;
    }

    public static Column of(String name, ColumnType type, boolean nullable) {
        return new Column(name, type, nullable, null);
    }
}
