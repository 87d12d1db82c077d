package io.echodb.runner.wiring;

import io.echodb.adapters.clickhouse.ClickHouseGateway;
import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.runner.config.EchoDbConfig;
import io.echodb.runner.http.ReadinessReport.Check;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/** Whether PostgreSQL and ClickHouse answer, probed on their own threads and cached, for /ready, /health and /metrics. */
final class DependencyProbes {

    private static final Duration PROBE_CACHE = Duration.ofSeconds(2);
    /** How long /ready and /health wait for a dependency probe: well inside the API's 2 s answer. */
    private static final Duration PROBE_WAIT = Duration.ofMillis(700);

    private final EchoDbConfig.Postgres postgres;
    private final PgConnectionFactory pg;
    private final ClickHouseGateway clickhouse;
    private final CachedProbe postgresProbe;
    private final CachedProbe clickhouseProbe;

    DependencyProbes(EchoDbConfig.Postgres postgres, PgConnectionFactory pg, ClickHouseGateway clickhouse, Clock clock) {
        this.postgres = Objects.requireNonNull(postgres, "postgres");
        this.pg = Objects.requireNonNull(pg, "pg");
        this.clickhouse = Objects.requireNonNull(clickhouse, "clickhouse");
        postgresProbe = new CachedProbe("PostgreSQL", this::probePostgres, clock, PROBE_CACHE, PROBE_WAIT);
        clickhouseProbe = new CachedProbe("ClickHouse", this::probeClickHouse, clock, PROBE_CACHE, PROBE_WAIT);
    }

    Check postgres() {
        return postgresProbe.get();
    }

    Check clickHouse() {
        return clickhouseProbe.get();
    }

    /** Probes both now (when the cache has expired), so a change of state is logged without anyone polling /ready. */
    void refresh() {
        postgresProbe.get();
        clickhouseProbe.get();
    }

    private Check probePostgres() {
        try (Connection c = pg.open()) {
            return c.isValid(3) ? Check.ok("reachable at " + postgres.host() + ":" + postgres.port())
                    : Check.failed("connection not valid");
        } catch (Exception e) {
            return Check.failed(FixHints.withFix("unreachable: " + e.getMessage(), FixHints.postgres(e.getMessage())));
        }
    }

    private Check probeClickHouse() {
        try {
            clickhouse.query("SELECT 1", "ping ClickHouse");
            return Check.ok("reachable at " + clickhouse.settings().endpoint());
        } catch (RuntimeException e) {
            return Check.failed(FixHints.withFix("not usable at " + clickhouse.settings().endpoint() + ": " + e.getMessage(),
                    FixHints.clickHouse(e.getMessage())));
        }
    }
}
