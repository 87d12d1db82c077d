package io.echodb.adapters.postgres.replication;

import io.echodb.core.model.InvalidValueException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where and as whom to connect to the source PostgreSQL. {@code parameters} are extra pgjdbc connection properties
 * (e.g. {@code sslmode}); {@code password} may be empty. {@link #toString()} never shows the password.
 */
public record PgConnectionSettings(String host, int port, String database, String user, String password,
                                   Map<String, String> parameters) {

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
        return new PgConnectionSettings(host, port, database, user, password, Map.of());
    }

    public PgConnectionSettings withParameter(String key, String value) {
        Map<String, String> copy = new TreeMap<>(parameters);
        copy.put(key, value);
        return new PgConnectionSettings(host, port, database, user, password, copy);
    }

    /** {@code jdbc:postgresql://host:port/database} (no credentials, no parameters). */
    public String jdbcUrl() {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return "PgConnectionSettings[host=" + host + ", port=" + port + ", database=" + database + ", user=" + user
                + ", password=" + (password.isEmpty() ? "<none>" : "******") + ", parameters="
                + new TreeMap<>(parameters).keySet() + "]";
    }
}
