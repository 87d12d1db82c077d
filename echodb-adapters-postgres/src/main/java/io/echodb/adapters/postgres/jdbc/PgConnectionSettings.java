package io.echodb.adapters.postgres.jdbc;

import io.echodb.core.model.InvalidValueException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where and as whom to connect to the source PostgreSQL. {@code parameters} are extra pgjdbc connection properties
 * (e.g. {@code sslmode}); {@code password} may be empty. {@link #toString()} never shows the password.
 *
 * <p>{@code directHost}/{@code directPort}: the server itself, when {@code host}/{@code port} is a connection pooler in
 * transaction mode (PgBouncer): replication and session-bound connections (LISTEN, advisory locks, snapshot sessions)
 * go there; null when {@code host} is the server.
 */
public record PgConnectionSettings(String host, int port, String database, String user, String password,
                                   Map<String, String> parameters, String directHost, Integer directPort) {

    public PgConnectionSettings {
        if (host == null || host.isBlank()) {
            throw InvalidValueException.of("PostgreSQL host", host, "must not be blank");
        }
        if (port < 1 || port > 65_535) {
            throw InvalidValueException.of("PostgreSQL port", port, "must be 1..65535");
        }
        if (database == null || database.isBlank() || database.indexOf('\0') >= 0) {
            throw InvalidValueException.of("PostgreSQL database", database, "must be a non-blank name without NUL");
        }
        if (user == null || user.isBlank() || user.indexOf('\0') >= 0) {
            throw InvalidValueException.of("PostgreSQL user", user, "must be a non-blank name without NUL");
        }
        if ((directHost == null) != (directPort == null)) {
            throw InvalidValueException.of("PostgreSQL direct server", directHost + ":" + directPort,
                    "needs both a host and a port, or neither");
        }
        if (directHost != null && directHost.isBlank()) {
            throw InvalidValueException.of("PostgreSQL direct host", directHost, "must not be blank");
        }
        if (directPort != null && (directPort < 1 || directPort > 65_535)) {
            throw InvalidValueException.of("PostgreSQL direct port", directPort, "must be 1..65535");
        }
        password = password == null ? "" : password;
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        for (String key : parameters.keySet()) {
            if (key.isBlank() || key.equalsIgnoreCase("user") || key.equalsIgnoreCase("password")) {
                throw InvalidValueException.of("PostgreSQL connection parameter", key,
                        "must not be blank, user or password (those have their own settings)");
            }
        }
    }

    public static PgConnectionSettings of(String host, int port, String database, String user, String password) {
        return new PgConnectionSettings(host, port, database, user, password, Map.of(), null, null);
    }

    public PgConnectionSettings withParameter(String key, String value) {
        Map<String, String> copy = new TreeMap<>(parameters);
        copy.put(key, value);
        return new PgConnectionSettings(host, port, database, user, password, copy, directHost, directPort);
    }

    /** {@code host}/{@code port} is a pooler; the server itself is at {@code serverHost}:{@code serverPort}. */
    public PgConnectionSettings withDirectServer(String serverHost, int serverPort) {
        return new PgConnectionSettings(host, port, database, user, password, parameters, serverHost, serverPort);
    }

    /** True when ordinary connections go through a pooler ({@link #withDirectServer} was given another endpoint). */
    public boolean throughPooler() {
        return directHost != null && !(directHost.equals(host) && directPort == port);
    }

    /** {@code jdbc:postgresql://host:port/database} (no credentials, no parameters): ordinary connections. */
    public String jdbcUrl() {
        return url(host, port);
    }

    /** The server itself: replication and session-bound connections. */
    public String directJdbcUrl() {
        return throughPooler() ? url(directHost, directPort) : jdbcUrl();
    }

    private String url(String h, int p) {
        String bracketed = h.indexOf(':') >= 0 && !h.startsWith("[") ? "[" + h + "]" : h;
        return "jdbc:postgresql://" + bracketed + ":" + p + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return "PgConnectionSettings[host=" + host + ", port=" + port + ", database=" + database + ", user=" + user
                + ", password=" + (password.isEmpty() ? "<none>" : "******") + ", parameters="
                + new TreeMap<>(parameters).keySet() + (throughPooler() ? ", direct=" + directHost + ":" + directPort : "")
                + "]";
    }
}
