package io.echodb.runner.wiring;

import io.echodb.adapters.clickhouse.ClickHouseSettings;
import io.echodb.adapters.postgres.jdbc.PgConnectionSettings;
import io.echodb.runner.config.EchoDbConfig;

/** Turns the configuration into the PostgreSQL and ClickHouse adapters' connection settings. */
final class ConnectionSettings {

    private ConnectionSettings() {
    }

    /** TLS parameters, and the server itself when connections go through a pooler. */
    static PgConnectionSettings postgres(EchoDbConfig.Postgres p) {
        PgConnectionSettings pgSettings = PgConnectionSettings.of(p.host(), p.port(), p.database(), p.user(), p.password().reveal())
                .withParameter("sslmode", p.sslMode());
        if (!p.sslRootCert().isEmpty()) {
            pgSettings = pgSettings.withParameter("sslrootcert", p.sslRootCert());
        }
        if (p.throughPooler()) {
            pgSettings = pgSettings.withDirectServer(p.directHost(), p.directPort());
        }
        return pgSettings;
    }

    /** A URL when one is configured, else host and port; on a cluster when one is named. */
    static ClickHouseSettings clickHouse(EchoDbConfig.ClickHouse c) {
        ClickHouseSettings s;
        if (!c.url().isEmpty()) {
            s = ClickHouseSettings.ofUrl(c.url().reveal(), c.user(), c.password().reveal());
        } else {
            s = ClickHouseSettings.of(c.host(), c.port(), c.database(), c.user(), c.password().reveal());
        }
        return c.cluster().isEmpty() ? s : s.withCluster(c.cluster());
    }
}
