package io.echodb.adapters.postgres.jdbc;

import io.echodb.core.model.InvalidValueException;
import java.util.Objects;

/** The adapter's only quoting, for SQL text that cannot use bind parameters (DDL, replication commands, function bodies). */
public final class PgQuoting {

    private PgQuoting() {
    }

    /** A PostgreSQL identifier in double quotes, embedded quotes doubled; rejects NUL, which PostgreSQL cannot store. */
    public static String ident(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw InvalidValueException.of("SQL identifier", name, "must be non-empty and free of NUL");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * A string literal that means the same text whatever {@code standard_conforming_strings} is: the escape-string
     * form ({@code E'...'}) with quotes and backslashes doubled, as PostgreSQL's own {@code quote_literal} does.
     */
    public static String literal(String value) {
        Objects.requireNonNull(value, "value");
        if (value.indexOf('\0') >= 0) {
            throw InvalidValueException.of("SQL literal", value, "must not contain NUL");
        }
        String body = value.replace("'", "''");
        if (body.indexOf('\\') >= 0) {
            return "E'" + body.replace("\\", "\\\\") + "'";
        }
        return "'" + body + "'";
    }

    /** Dollar-quotes {@code body} with a tag that does not occur in it, so no content can end the quote early. */
    public static String dollarQuote(String body) {
        String tag = "$echodb$";
        for (int i = 0; body.contains(tag); i++) {
            tag = "$echodb" + i + "$";
        }
        return tag + body + tag;
    }
}
