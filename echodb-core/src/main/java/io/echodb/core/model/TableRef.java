package io.echodb.core.model;

import java.util.Objects;

/** A source table, identified by schema and name exactly as PostgreSQL stores them (case-sensitive). */
public record TableRef(String schema, String name) implements Comparable<TableRef> {

    public TableRef {
        schema = requireIdentifier(schema, "schema");
        name = requireIdentifier(name, "table name");
    }

    public static TableRef of(String schema, String name) {
        return new TableRef(schema, name);
    }

    /** Parses {@code schema.table}; a bare name means schema {@code public}. Unquoted form only. */
    public static TableRef parse(String qualified) {
        Objects.requireNonNull(qualified, "qualified");
        int dot = qualified.indexOf('.');
        return dot < 0 ? new TableRef("public", qualified) : new TableRef(qualified.substring(0, dot), qualified.substring(dot + 1));
    }

    /** {@code schema.name}, unquoted: for display, logs and map keys, never for SQL. */
    public String qualified() {
        return schema + "." + name;
    }

    @Override
    public int compareTo(TableRef o) {
        int c = schema.compareTo(o.schema);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return qualified();
    }

    private static String requireIdentifier(String value, String what) {
        if (value == null || value.isEmpty()) {
            throw InvalidValueException.of(what, value, "must not be empty");
        }
        if (value.indexOf('\0') >= 0) {
            throw InvalidValueException.of(what, value, "must not contain NUL characters");
        }
        if (value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 63) {
            throw InvalidValueException.of(what, value, "must be at most 63 bytes (PostgreSQL's NAMEDATALEN)");
        }
        return value;
    }
}
