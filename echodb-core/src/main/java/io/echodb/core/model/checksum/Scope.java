package io.echodb.core.model.checksum;

import io.echodb.core.model.InvalidValueException;
import io.echodb.core.schema.TableSchema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What to compare: the source schema (neutral types, key) and the columns to hash, which include every key column;
 * kept in schema order, the order of the canonical row text.
 */
public record Scope(TableSchema schema, List<String> columns) {
    public Scope {
        Objects.requireNonNull(schema, "schema");
        Set<String> wanted = new HashSet<>();
        for (String c : columns) {
            if (schema.indexOf(c) < 0 || !wanted.add(c)) {
                throw InvalidValueException.of("checksum column", c, "must be a column of " + schema.table() + ", listed once");
            }
        }
        if (schema.keyColumns().isEmpty()) {
            throw InvalidValueException.of("checksum key of " + schema.table(), "[]", "must not be empty");
        }
        for (String k : schema.keyColumns()) {
            if (!wanted.contains(k)) {
                throw InvalidValueException.of("checksum columns", columns, "must include key column " + k);
            }
        }
        List<String> ordered = new ArrayList<>(wanted.size());
        for (String c : schema.columnNames()) {
            if (wanted.contains(c)) {
                ordered.add(c);
            }
        }
        columns = List.copyOf(ordered);
    }

    /** Every column of the schema. */
    public static Scope allColumns(TableSchema schema) {
        return new Scope(schema, schema.columnNames());
    }
}
