package io.echodb.adapters.clickhouse;

import io.echodb.core.model.InvalidValueException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Connection and layout settings of the ClickHouse target.
 *
 * <p>{@code url} is a clickhouse-jdbc URL ({@code jdbc:clickhouse:http://host:8123/db?k=v}); its parameters are handed
 * to the driver's client as options. Plain {@code http} URLs always carry {@code compress=0}: the server's LZ4 framing
 * of responses is not spoken by every ClickHouse-compatible server (the local chDB server included), and on a real
 * server it only trades CPU for bandwidth. An explicit {@code compress=...} in the URL is kept as given.
 *
 * @param url              the normalized JDBC URL (never contains the password when built by the factories)
 * @param user             the ClickHouse user
 * @param password         the password (may be empty, never null); masked by {@link #toString()}
 * @param cluster          the cluster for {@code ON CLUSTER} DDL and Replicated engines, or null for a single server
 * @param jsonType         map json/jsonb to ClickHouse's {@code JSON} type instead of {@code String}
 * @param dropColumnPolicy what to do with target columns whose source column was dropped
 */
public record ClickHouseSettings(
        String url, String user, String password, String cluster, boolean jsonType, DropColumnPolicy dropColumnPolicy) {

    /** Client option defaults applied when the URL does not set them (milliseconds). */
    static final Map<String, String> DEFAULT_OPTIONS = Map.of(
            "connection_timeout", "10000",
            "socket_timeout", "300000");

    private static final Set<String> CREDENTIAL_PARAMS = Set.of("user", "password");
    private static final String PREFIX = "jdbc:clickhouse:";
    private static final String SHORT_PREFIX = "jdbc:ch:";

    public ClickHouseSettings {
        url = normalizeUrl(url);
        if (user == null || user.isBlank()) {
            throw InvalidValueException.of("ClickHouse user", user, "must not be blank");
        }
        if (password == null) {
            throw InvalidValueException.of("ClickHouse password", "null", "must not be null (use an empty password)");
        }
        if (cluster != null && (cluster.isBlank() || cluster.indexOf('\0') >= 0)) {
            throw InvalidValueException.of("ClickHouse cluster", cluster, "must be a non-blank name without NUL or absent");
        }
        if (dropColumnPolicy == null) {
            throw InvalidValueException.of("drop-column policy", "null", "must be keep or drop");
        }
    }

    /** Settings for {@code http://host:port/database}, single server, String for JSON, dropped columns kept. */
    public static ClickHouseSettings of(String host, int port, String database, String user, String password) {
        if (host == null || host.isBlank() || host.indexOf('/') >= 0 || host.indexOf('?') >= 0) {
            throw InvalidValueException.of("ClickHouse host", host, "must be a host name or address");
        }
        if (port < 1 || port > 65_535) {
            throw InvalidValueException.of("ClickHouse port", port, "must be 1..65535");
        }
        requireDatabase(database);
        String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        String url = PREFIX + "http://" + hostPart + ":" + port + "/" + encodePath(database);
        return new ClickHouseSettings(url, user, password, null, false, DropColumnPolicy.KEEP);
    }

    /**
     * Settings from a full JDBC URL ({@code CLICKHOUSE_URL}). {@code user}/{@code password} win over URL parameters of
     * the same name; when {@code user} is null the URL's {@code user} parameter is used, then {@code default}.
     */
    public static ClickHouseSettings ofUrl(String url, String user, String password) {
        Map<String, String> params = parse(normalizeUrl(url)).params();
        String u = user != null && !user.isBlank() ? user : params.getOrDefault("user", "default");
        String p = password != null ? password : params.getOrDefault("password", "");
        return new ClickHouseSettings(url, u, p, null, false, DropColumnPolicy.KEEP);
    }

    public ClickHouseSettings withCluster(String clusterName) {
        return new ClickHouseSettings(url, user, password, clusterName, jsonType, dropColumnPolicy);
    }

    public ClickHouseSettings withJsonType(boolean useJsonType) {
        return new ClickHouseSettings(url, user, password, cluster, useJsonType, dropColumnPolicy);
    }

    public ClickHouseSettings withDropColumnPolicy(DropColumnPolicy policy) {
        return new ClickHouseSettings(url, user, password, cluster, jsonType, policy);
    }

    public Optional<String> clusterName() {
        return Optional.ofNullable(cluster);
    }

    /** The target database named by the URL's path ({@code default} when the path is empty). */
    public String database() {
        return parse(url).database();
    }

    /** {@code http(s)://host:port}, what the client connects to. */
    public String endpoint() {
        return parse(url).endpoint();
    }

    /** Client options: the URL's parameters without credentials, plus timeout defaults the URL does not override. */
    public Map<String, String> clientOptions() {
        Map<String, String> options = new LinkedHashMap<>(DEFAULT_OPTIONS);
        parse(url).params().forEach((k, v) -> {
            if (!CREDENTIAL_PARAMS.contains(k) && !"ssl".equals(k)) {
                options.put(k, v);
            }
        });
        return options;
    }

    @Override
    public String toString() {
        return "ClickHouseSettings[url=" + maskUrl(url) + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "****")
                + ", cluster=" + cluster + ", jsonType=" + jsonType + ", dropColumnPolicy=" + dropColumnPolicy + "]";
    }

    private record ParsedUrl(String endpoint, String database, Map<String, String> params) { }

    private static String normalizeUrl(String url) {
        ParsedUrl parsed = parse(url);
        if (parsed.endpoint().startsWith("http://") && !parsed.params().containsKey("compress")) {
            return url + (url.contains("?") ? "&" : "?") + "compress=0";
        }
        return url;
    }

    private static ParsedUrl parse(String url) {
        if (url == null) {
            throw InvalidValueException.of("ClickHouse URL", "null", "must look like jdbc:clickhouse:http://host:8123/db");
        }
        String rest;
        if (url.startsWith(PREFIX)) {
            rest = url.substring(PREFIX.length());
        } else if (url.startsWith(SHORT_PREFIX)) {
            rest = url.substring(SHORT_PREFIX.length());
        } else {
            throw InvalidValueException.of("ClickHouse URL", maskUrl(url), "must start with " + PREFIX);
        }
        if (rest.startsWith("//")) {
            rest = "http:" + rest;
        }
        URI uri;
        try {
            uri = new URI(rest);
        } catch (URISyntaxException e) {
            throw InvalidValueException.of("ClickHouse URL", maskUrl(url), "is not a valid URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw InvalidValueException.of("ClickHouse URL", maskUrl(url), "must use the http or https protocol");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw InvalidValueException.of("ClickHouse URL", maskUrl(url), "must name a host");
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0 || eq == pair.length() - 1) {
                    throw InvalidValueException.of("ClickHouse URL parameter", maskParam(pair), "must look like key=value");
                }
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        if ("https".equals(scheme) || Boolean.parseBoolean(params.getOrDefault("ssl", "false"))) {
            scheme = "https";
        }
        int port = uri.getPort() > 0 ? uri.getPort() : ("https".equals(scheme) ? 8443 : 8123);
        String path = uri.getPath() == null ? "" : uri.getPath();
        String database = path.isEmpty() || path.equals("/") ? "default" : path.substring(1);
        requireDatabase(database);
        return new ParsedUrl(scheme + "://" + uri.getHost() + ":" + port, database, params);
    }

    private static void requireDatabase(String database) {
        if (database == null || database.isBlank() || database.indexOf('/') >= 0 || database.indexOf('\0') >= 0) {
            throw InvalidValueException.of("ClickHouse database", database, "must be a non-blank name without '/' or NUL");
        }
    }

    private static String encodePath(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The URL with the value of any {@code password} parameter replaced, for messages and logs. */
    static String maskUrl(String url) {
        return url == null ? null : url.replaceAll("(?i)([?&]password=)[^&]*", "$1****");
    }

    private static String maskParam(String pair) {
        return pair.toLowerCase(Locale.ROOT).startsWith("password") ? "password=****" : pair;
    }
}
