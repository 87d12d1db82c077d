package io.echodb.adapters.peerdb;

import io.echodb.core.model.InvalidValueException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Everything the PeerDB adapter needs: where PeerDB's SQL interface and flow API are, the two peers it creates, the
 * mirror options it passes on, and its timeouts. {@code toString()} masks every secret, so settings can be logged.
 */
public record PeerDbSettings(
        SqlEndpoint sql,
        FlowApi flowApi,
        PostgresPeer source,
        ClickHousePeer target,
        MirrorOptions mirrorOptions,
        Timeouts timeouts) {

    /** PeerDB peer names: PeerDB lower-cases mirror and peer names, so only lower-case names round-trip. */
    static final Pattern PEER_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final String MASK = "****";

    public PeerDbSettings {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(flowApi, "flowApi");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(mirrorOptions, "mirrorOptions");
        Objects.requireNonNull(timeouts, "timeouts");
        if (source.name().equals(target.name())) {
            throw InvalidValueException.of("peer names", source.name(), "source and target peer must differ");
        }
    }

    /** Every non-empty secret, so error messages can be scrubbed of them. */
    List<String> secrets() {
        List<String> s = new ArrayList<>();
        for (String v : List.of(sql.password(), flowApi.token(), source.password(), target.password(),
                target.staging().secretAccessKey())) {
            if (!v.isEmpty()) {
                s.add(v);
            }
        }
        return s;
    }

    /** PeerDB's SQL interface (PostgreSQL wire protocol). PeerDB checks only the password; the user name is free. */
    public record SqlEndpoint(String host, int port, String user, String password, String database) {
        public SqlEndpoint {
            host = requireText(host, "PeerDB host");
            requirePort(port, "PeerDB port");
            user = requireText(user, "PeerDB user");
            password = Objects.requireNonNullElse(password, "");
            database = database == null || database.isBlank() ? "peerdb" : database;
            requireNoNul(password, "PeerDB password");
        }

        /** JDBC URL without credentials; they go in the connection properties. */
        public String jdbcUrl() {
            String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
            return "jdbc:postgresql://" + h + ":" + port + "/" + database;
        }

        @Override
        public String toString() {
            return "SqlEndpoint[" + user + "@" + host + ":" + port + "/" + database + ", password=" + mask(password) + "]";
        }
    }

    /** PeerDB's flow API (grpc-gateway HTTP, port 8113). {@code token} is sent as a Bearer token when not empty. */
    public record FlowApi(URI baseUrl, String token) {
        public FlowApi {
            Objects.requireNonNull(baseUrl, "baseUrl");
            String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || baseUrl.getHost() == null) {
                throw InvalidValueException.of("PeerDB flow API URL", baseUrl, "must be http(s)://host:port");
            }
            token = Objects.requireNonNullElse(token, "");
            if (token.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw InvalidValueException.of("PeerDB flow API token", MASK, "must not contain control characters");
            }
        }

        /** {@code path} resolved against the base URL, keeping any path prefix of the base (reverse proxies). */
        URI resolve(String path) {
            String base = baseUrl.toString();
            return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
        }

        @Override
        public String toString() {
            return "FlowApi[" + baseUrl + ", token=" + mask(token) + "]";
        }
    }

    /** The source peer: how PeerDB (not EchoDB) reaches the source PostgreSQL. */
    public record PostgresPeer(String name, String host, int port, String user, String password, String database) {
        public PostgresPeer {
            name = requirePeerName(name, "source peer name");
            host = requireText(host, "source peer host");
            requirePort(port, "source peer port");
            user = requireText(user, "source peer user");
            password = requireNoNul(Objects.requireNonNullElse(password, ""), "source peer password");
            database = requireText(database, "source peer database");
        }

        @Override
        public String toString() {
            return "PostgresPeer[" + name + ": " + user + "@" + host + ":" + port + "/" + database
                    + ", password=" + mask(password) + "]";
        }
    }

    /**
     * The target peer: how PeerDB reaches ClickHouse, over the <em>native</em> protocol (port 9000, or 9440 with TLS),
     * plus the S3-compatible staging store PeerDB loads through (empty: PeerDB's own default staging, e.g. the
     * PEERDB_CLICKHOUSE_AWS_* settings of its flow workers).
     */
    public record ClickHousePeer(String name, String host, int nativePort, String user, String password, String database,
                                 boolean disableTls, S3Staging staging) {
        public ClickHousePeer {
            name = requirePeerName(name, "target peer name");
            host = requireText(host, "target peer host");
            requirePort(nativePort, "target peer native port");
            user = requireText(user, "target peer user");
            password = requireNoNul(Objects.requireNonNullElse(password, ""), "target peer password");
            database = requireText(database, "target peer database");
            staging = Objects.requireNonNullElse(staging, S3Staging.NONE);
        }

        @Override
        public String toString() {
            return "ClickHousePeer[" + name + ": " + user + "@" + host + ":" + nativePort + "/" + database
                    + ", password=" + mask(password) + ", disableTls=" + disableTls + ", staging=" + staging + "]";
        }
    }

    /** S3-compatible staging for the ClickHouse peer; all empty means "not set". */
    public record S3Staging(String path, String accessKeyId, String secretAccessKey, String region, String endpoint) {
        public static final S3Staging NONE = new S3Staging("", "", "", "", "");

        public S3Staging {
            path = requireNoNul(Objects.requireNonNullElse(path, ""), "S3 staging path");
            accessKeyId = requireNoNul(Objects.requireNonNullElse(accessKeyId, ""), "S3 access key id");
            secretAccessKey = requireNoNul(Objects.requireNonNullElse(secretAccessKey, ""), "S3 secret access key");
            region = requireNoNul(Objects.requireNonNullElse(region, ""), "S3 region");
            endpoint = requireNoNul(Objects.requireNonNullElse(endpoint, ""), "S3 endpoint");
        }

        public boolean isSet() {
            return !path.isEmpty();
        }

        @Override
        public String toString() {
            return isSet() ? "S3Staging[" + path + ", keyId=" + accessKeyId + ", secret=" + mask(secretAccessKey)
                    + ", region=" + region + ", endpoint=" + endpoint + "]" : "S3Staging[none]";
        }
    }

    /**
     * Options of {@code CREATE MIRROR … WITH (…)}. Only keys PeerDB knows are ever emitted (it silently ignores unknown
     * ones); empty/absent values are left out so PeerDB's defaults apply. {@code publicationName} and
     * {@code replicationSlotName} are shared by every mirror when set, so leave them empty unless PeerDB must reuse
     * an existing publication/slot.
     */
    public record MirrorOptions(boolean doInitialCopy, String publicationName, String replicationSlotName,
                                OptionalInt maxBatchSize, OptionalInt syncIntervalSeconds,
                                OptionalInt snapshotRowsPerPartition, OptionalInt snapshotMaxParallelWorkers,
                                String softDeleteColumn, String syncedAtColumn) {

        public static final MirrorOptions DEFAULTS = new MirrorOptions(true, "", "", OptionalInt.empty(),
                OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), "", "");

        public MirrorOptions {
            publicationName = requireNoNul(Objects.requireNonNullElse(publicationName, ""), "publication_name");
            replicationSlotName = requireNoNul(Objects.requireNonNullElse(replicationSlotName, ""), "replication_slot_name");
            softDeleteColumn = requireNoNul(Objects.requireNonNullElse(softDeleteColumn, ""), "soft_delete_col_name");
            syncedAtColumn = requireNoNul(Objects.requireNonNullElse(syncedAtColumn, ""), "synced_at_col_name");
            maxBatchSize = requirePositive(maxBatchSize, "max_batch_size");
            syncIntervalSeconds = requirePositive(syncIntervalSeconds, "sync_interval");
            snapshotRowsPerPartition = requirePositive(snapshotRowsPerPartition, "snapshot_num_rows_per_partition");
            snapshotMaxParallelWorkers = requirePositive(snapshotMaxParallelWorkers, "snapshot_max_parallel_workers");
        }
    }

    /**
     * {@code connect}/{@code request}: per call to PeerDB; {@code dropWait}: how long {@code drop} waits for PeerDB to
     * finish terminating a mirror; {@code poll}: the pause between status checks while waiting.
     */
    public record Timeouts(Duration connect, Duration request, Duration dropWait, Duration poll) {
        public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(60),
                Duration.ofMinutes(5), Duration.ofSeconds(1));

        public Timeouts {
            for (Duration d : new Duration[] {connect, request, dropWait, poll}) {
                if (d == null || d.isNegative() || d.isZero()) {
                    throw InvalidValueException.of("PeerDB timeout", d, "must be positive");
                }
            }
        }
    }

    static String mask(String secret) {
        return secret == null || secret.isEmpty() ? "" : MASK;
    }

    private static String requirePeerName(String name, String what) {
        if (name == null || !PEER_NAME.matcher(name).matches()) {
            throw InvalidValueException.of(what, name, "must match " + PEER_NAME.pattern() + " (PeerDB lower-cases names)");
        }
        return name;
    }

    private static String requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw InvalidValueException.of(what, value, "must not be blank");
        }
        return requireNoNul(value, what);
    }

    private static String requireNoNul(String value, String what) {
        // A NUL would end the query string on the wire: everything after it would be cut off.
        if (value.indexOf('\0') >= 0) {
            throw InvalidValueException.of(what, "(contains NUL)", "must not contain NUL characters");
        }
        return value;
    }

    private static void requirePort(int port, String what) {
        if (port < 1 || port > 65_535) {
            throw InvalidValueException.of(what, port, "must be 1..65535");
        }
    }

    private static OptionalInt requirePositive(OptionalInt value, String what) {
        OptionalInt v = Objects.requireNonNullElse(value, OptionalInt.empty());
        if (v.isPresent() && v.getAsInt() <= 0) {
            throw InvalidValueException.of(what, v.getAsInt(), "must be > 0");
        }
        return v;
    }
}
