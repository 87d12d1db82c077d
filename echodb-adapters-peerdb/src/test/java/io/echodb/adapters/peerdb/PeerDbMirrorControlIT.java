package io.echodb.adapters.peerdb;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.port.contract.MirrorControlContract;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The MirrorControl contract against a real PeerDB (Maven profile {@code peerdb-it}; not part of the default build).
 * Start the stack first: {@code docker compose -f compose/docker-compose.yml --profile peerdb up -d}. Defaults match
 * that stack seen from the host; override with the environment variables below. Source tables go to schema
 * {@code echodb_it}, which the stack's workers do not watch.
 *
 * <ul>
 *   <li>{@code ECHODB_IT_PEERDB_HOST}/{@code _PORT}/{@code _PASSWORD}: PeerDB's SQL interface (localhost, 9900, peerdb)</li>
 *   <li>{@code ECHODB_IT_FLOW_API_URL}: the flow API (http://localhost:8113)</li>
 *   <li>{@code ECHODB_IT_POSTGRES_URL}/{@code _USER}/{@code _PASSWORD}: the source database as the test reaches it
 *       (jdbc:postgresql://localhost:5432/echodb, echodb, password)</li>
 *   <li>{@code ECHODB_IT_PEER_POSTGRES_HOST}/{@code _PORT}, {@code ECHODB_IT_PEER_CLICKHOUSE_HOST}/{@code _PORT}: the
 *       databases as PeerDB reaches them (postgres:5432, clickhouse:9000 inside the compose network)</li>
 * </ul>
 */
class PeerDbMirrorControlIT extends MirrorControlContract {

    private static final String SCHEMA = "echodb_it";

    @Override
    protected MirrorControl newMirrorControl() {
        PeerDbSettings settings = new PeerDbSettings(
                new PeerDbSettings.SqlEndpoint(env("ECHODB_IT_PEERDB_HOST", "localhost"),
                        Integer.parseInt(env("ECHODB_IT_PEERDB_PORT", "9900")), "echodb",
                        env("ECHODB_IT_PEERDB_PASSWORD", "peerdb"), "peerdb"),
                new PeerDbSettings.FlowApi(URI.create(env("ECHODB_IT_FLOW_API_URL", "http://localhost:8113")), ""),
                new PeerDbSettings.PostgresPeer("postgres_main", env("ECHODB_IT_PEER_POSTGRES_HOST", "postgres"),
                        Integer.parseInt(env("ECHODB_IT_PEER_POSTGRES_PORT", "5432")), pgUser(), pgPassword(), "echodb"),
                new PeerDbSettings.ClickHousePeer("clickhouse_analytics", env("ECHODB_IT_PEER_CLICKHOUSE_HOST", "clickhouse"),
                        Integer.parseInt(env("ECHODB_IT_PEER_CLICKHOUSE_PORT", "9000")), "echodb", "password", "echodb",
                        true, PeerDbSettings.S3Staging.NONE),
                PeerDbSettings.MirrorOptions.DEFAULTS,
                new PeerDbSettings.Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(120), Duration.ofMinutes(3),
                        Duration.ofSeconds(1)));
        return PeerDbMirrorControl.create(settings, Clock.systemUTC(), TargetTableDropper.NONE);
    }

    @Override
    protected void givenSourceTable(TableRef table) {
        try (Connection c = DriverManager.getConnection(env("ECHODB_IT_POSTGRES_URL",
                "jdbc:postgresql://localhost:5432/echodb"), pgUser(), pgPassword()); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + quote(table.schema()));
            st.execute("CREATE TABLE IF NOT EXISTS " + quote(table.schema()) + "." + quote(table.name())
                    + " (id bigint PRIMARY KEY, v text)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create source table " + table + ": " + e.getMessage()
                    + " (is the compose stack up? see the class comment)", e);
        }
    }

    @Override
    protected String sourceSchema() {
        return SCHEMA;
    }

    @Override
    protected Duration settleTimeout() {
        return Duration.ofMinutes(3);
    }

    private static String pgUser() {
        return env("ECHODB_IT_POSTGRES_USER", "echodb");
    }

    private static String pgPassword() {
        return env("ECHODB_IT_POSTGRES_PASSWORD", "password");
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? Objects.requireNonNull(fallback) : v;
    }
}
