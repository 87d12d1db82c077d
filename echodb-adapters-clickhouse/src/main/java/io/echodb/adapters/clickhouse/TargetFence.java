package io.echodb.adapters.clickhouse;

import static io.echodb.adapters.clickhouse.ClickHouseSql.literal;
import static io.echodb.adapters.clickhouse.ClickHouseSql.onCluster;

import io.echodb.core.port.out.FencedOutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader's claim on the target database (I4), checked by ClickHouse itself. ClickHouse knows nothing of leases, so
 * a write a stalled former leader sent after a newer leader took over would land; with a fence it does not:
 * <ol>
 *   <li>the claim records the leader's fencing token in {@value #TABLE} (refused when a higher one is there), then
 *       kills every query still running under an older token of the same fence, waiting for them to end;</li>
 *   <li>every row write and every removal carries the condition "no higher token recorded", evaluated by the server
 *       when the statement runs, so a late one of an older leader changes nothing;</li>
 *   <li>DDL cannot carry a condition: it is preceded by a check of the recorded token and runs under a query id the
 *       next claim kills or waits for.</li>
 * </ol>
 * What remains is a stall between that check and the DDL's arrival, documented in docs/INVARIANTS.md. Query ids are
 * {@code echodb-<fence hash>-<token>-<uuid>}, so a claim finds the older tokens' queries in system.processes.
 * Thread-safe.
 */
final class TargetFence {

    static final String TABLE = "_echodb_fence";

    private static final Logger LOG = LoggerFactory.getLogger(TargetFence.class);
    private static final int ACCESS_DENIED = 497;

    private final ClickHouseGateway gateway;
    private final String database;
    private final String cluster;
    private final String name;
    private final long token;
    private final String idPrefix;
    private volatile boolean claimed;

    TargetFence(ClickHouseGateway gateway, String name, long token) {
        if (token <= 0) {
            throw new IllegalArgumentException("fencing token must be > 0, got " + token);
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("fence name must not be blank");
        }
        this.gateway = gateway;
        this.database = gateway.database();
        this.cluster = gateway.settings().cluster();
        this.name = name;
        this.token = token;
        this.idPrefix = "echodb-" + hash(name) + "-";
    }

    long token() {
        return token;
    }

    /** A fresh query id of this fence's token. */
    String queryId() {
        return idPrefix + token + "-" + UUID.randomUUID();
    }

    /** The condition a write carries: true while no newer leader has claimed the fence. */
    String stillCurrent() {
        return "(SELECT max(token) FROM " + fenceTable() + " WHERE name = " + literal(name) + ") <= " + token;
    }

    /** Claims the fence on first use; afterwards returns at once. */
    void claimOnce() {
        if (claimed) {
            return;
        }
        synchronized (this) {
            if (!claimed) {
                claim();
                claimed = true;
            }
        }
    }

    /** Fails when a newer leader has claimed the fence: the check before a statement that cannot carry a condition. */
    void requireCurrent(String what) {
        claimOnce();
        long current = recorded();
        if (current > token) {
            throw FencedOutException.superseded(what, token, current);
        }
    }

    private void claim() {
        String engine = cluster == null ? "ReplacingMergeTree(token)" : "ReplicatedReplacingMergeTree(token)";
        gateway.createDatabaseIfMissing();
        gateway.execute("CREATE TABLE IF NOT EXISTS " + fenceTable() + onCluster(cluster)
                + " (name String, token UInt64, claimed_at DateTime64(3, 'UTC') DEFAULT now64(3))"
                + " ENGINE = " + engine + " ORDER BY name", "create the fence table");
        long current = recorded();
        if (current > token) {
            throw FencedOutException.superseded("claim ClickHouse database " + database, token, current);
        }
        if (current < token) {
            gateway.execute("INSERT INTO " + fenceTable() + " (name, token) VALUES (" + literal(name) + ", " + token + ")",
                    "record fencing token " + token);
        }
        // Writes of older leaders that started before the token was recorded may still run: end them before acting.
        try {
            gateway.execute("KILL QUERY" + onCluster(cluster) + " WHERE startsWith(query_id, " + literal(idPrefix) + ")"
                    + " AND toUInt64OrZero(splitByChar('-', query_id)[3]) < " + token + " SYNC",
                    "end the writes of older leaders");
        } catch (ClickHouseRejectedException e) {
            if (e.code() != ACCESS_DENIED) {
                throw e;
            }
            // Statements starting from now are still refused; only one already running could land.
            LOG.warn("ClickHouse user may not KILL QUERY: a write an older leader has running now is not ended ({});"
                    + " grant KILL QUERY to close that window", e.getMessage());
        }
    }

    private long recorded() {
        Object max = gateway.query("SELECT max(token) FROM " + fenceTable() + " WHERE name = " + literal(name),
                "read the fence").single();
        return ((Number) max).longValue();
    }

    private String fenceTable() {
        return ClickHouseSql.table(database, TABLE);
    }

    private static String hash(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
