package io.echodb.adapters.postgres.jdbc;

import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.SourceUnavailableException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.regex.Pattern;

/** SQL text helpers for PostgreSQL: identifier quoting, name validation and error classification. */
public final class PgSql {

    /** PostgreSQL's own rule for replication slot names; used for publication names too so both are safe anywhere. */
    private static final Pattern OBJECT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

    private PgSql() {
    }

    /** {@code "schema"."table"}. */
    public static String quote(TableRef table) {
        return PgQuoting.ident(table.schema()) + "." + PgQuoting.ident(table.name());
    }

    /** Validates a slot or publication name: lower-case letters, digits and underscores, at most 63 bytes. */
    public static String requireObjectName(String what, String name) {
        if (name == null || !OBJECT_NAME.matcher(name).matches()
                || name.getBytes(StandardCharsets.UTF_8).length > 63) {
            throw InvalidValueException.of(what, name, "must match " + OBJECT_NAME.pattern());
        }
        return name;
    }

    /** True when the error means the server or the network is (temporarily) unavailable rather than a bad request. */
    public static boolean isTransient(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException) {
                return true;
            }
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String state = s.getSQLState();
                if (state.startsWith("08") // connection exception
                        || state.startsWith("53") // insufficient resources (too many connections, disk full)
                        || state.startsWith("57P") // admin/crash shutdown, cannot connect now
                        || state.startsWith("58") // system error
                        || state.startsWith("40") // serialization failure, deadlock
                        || state.equals("55006") // object in use (e.g. a slot still held by a dying walsender)
                        || state.equals("57014")) { // query canceled
                    return true;
                }
            }
        }
        return e.getSQLState() == null;
    }

    /** Maps a JDBC failure to the port's exceptions: transient ones become {@link SourceUnavailableException}. */
    public static RuntimeException translate(String what, SQLException e) {
        if (isTransient(e)) {
            return SourceUnavailableException.of(what, e);
        }
        return PgSourceException.failed(what, e);
    }
}
