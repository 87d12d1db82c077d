package io.echodb.adapters.postgres.jdbc;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.postgres.catalog.PgRowCounter;
import io.echodb.adapters.postgres.catalog.PgSourceCatalog;
import io.echodb.adapters.postgres.snapshot.PgPositionedSnapshot;
import io.echodb.adapters.postgres.testing.PgBouncerTestService;
import io.echodb.adapters.postgres.testing.PostgresTestService;
import io.echodb.core.model.TableRef;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * EchoDB behind a real PgBouncer in transaction mode (one server connection per pool, so every client shares it):
 * ordinary work goes through the pooler and works — no startup options, no server-side prepared statements, no session
 * setting left behind on the shared server connection — while replication and session-bound connections go to the
 * server directly.
 */
class PgBouncerTest {

    private static final PostgresTestService PG = PostgresTestService.get();
    private static PgBouncerTestService bouncer;
    private static String db;

    @BeforeAll
    static void start() throws SQLException {
        db = PG.createDatabase("pooler");
        try (Connection c = PG.connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE public.orders (id int PRIMARY KEY, v text)");
            st.execute("INSERT INTO public.orders SELECT g, 'v' || g FROM generate_series(1, 250) g");
        }
        // pgjdbc always sends extra_float_digits at start-up: every pgjdbc user of PgBouncer ignores it (README)
        bouncer = PgBouncerTestService.start(PG, List.of("default_pool_size = 1",
                "ignore_startup_parameters = extra_float_digits", "admin_users = " + PG.user()));
    }

    @AfterAll
    static void stop() {
        if (bouncer != null) {
            bouncer.close();
        }
        PG.dropDatabase(db);
    }

    private static PgConnectionSettings throughBouncer() {
        return PgConnectionSettings.of(bouncer.host(), bouncer.port(), db, PG.user(), PG.password())
                .withDirectServer(PG.host(), PG.port());
    }

    private static Connection application(String database) throws SQLException {
        return application(bouncer, database);
    }

    private static Connection application(PgBouncerTestService bouncer, String database) throws SQLException {
        Properties props = PG.connectionProperties();
        props.setProperty("prepareThreshold", "0");
        if ("pgbouncer".equals(database)) {
            props.setProperty("preferQueryMode", "simple"); // the admin console speaks the simple protocol only
        }
        return DriverManager.getConnection("jdbc:postgresql://" + bouncer.host() + ":" + bouncer.port() + "/" + database, props);
    }

    /** Clients PgBouncer has for {@code database} (its admin console's SHOW CLIENTS). */
    private static long bouncerClients(String database) throws SQLException {
        long n = 0;
        try (Connection admin = application("pgbouncer"); Statement st = admin.createStatement();
             ResultSet rs = st.executeQuery("SHOW CLIENTS")) {
            while (rs.next()) {
                if (database.equals(rs.getString("database"))) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void ordinaryWorkGoesThroughTheTransactionPoolerAndLeavesNoSessionSettingBehind() throws Exception {
        try (PgConnectionFactory pg = PgConnectionFactory.pooled(throughBouncer(), "echodb-pooler-test",
                PgPoolSettings.defaults().withSize(3, Duration.ofSeconds(5)))) {
            PgSourceCatalog catalog = new PgSourceCatalog(pg);
            PgRowCounter counter = new PgRowCounter(pg, Clock.systemUTC());
            TableRef orders = TableRef.of("public", "orders");
            for (int i = 0; i < 20; i++) {
                assertThat(catalog.listTables(Set.of("public"))).contains(orders);
                assertThat(catalog.describe(orders)).isPresent();
                assertThat(counter.count(orders).count()).isEqualTo(250);
            }
            // the same statement many times on two connections: pgjdbc would switch each to a named server-side
            // statement (S_1), and behind a transaction pooler both names land on one server connection
            String sql = "SELECT v FROM public.orders WHERE id = ?";
            try (Connection c1 = pg.open(); Connection c2 = pg.open();
                 PreparedStatement p1 = c1.prepareStatement(sql); PreparedStatement p2 = c2.prepareStatement(sql)) {
                for (int i = 1; i <= 30; i++) {
                    for (PreparedStatement ps : List.of(p1, p2)) {
                        ps.setInt(1, i);
                        try (ResultSet rs = ps.executeQuery()) {
                            assertThat(rs.next()).isTrue();
                            assertThat(rs.getString(1)).isEqualTo("v" + i);
                        }
                    }
                }
                assertThat(bouncerClients(db)).as("EchoDB's pooled connections are PgBouncer's clients").isGreaterThanOrEqualTo(2);
            }
            // one server connection serves everyone: what EchoDB set must not reach an application's session
            try (Connection app = application(db); Statement st = app.createStatement();
                 ResultSet rs = st.executeQuery("SELECT current_setting('IntervalStyle'), current_setting('bytea_output')")) {
                rs.next();
                assertThat(rs.getString(1)).as("IntervalStyle the application sees").isEqualTo("postgres");
            }
        }
    }

    @Test
    void replicationAndSessionBoundConnectionsGoToTheServerDirectly() throws Exception {
        PgConnectionFactory pg = new PgConnectionFactory(throughBouncer(), "echodb-pooler-test");
        long before = bouncerClients(db);
        try (Connection dedicated = pg.openDedicated(); Statement st = dedicated.createStatement()) {
            st.execute("LISTEN echodb_pooler_test"); // session state: only safe on a connection of its own
            assertThat(bouncerClients(db)).as("a dedicated connection bypasses the pooler").isEqualTo(before);
            try (ResultSet rs = st.executeQuery("SELECT current_setting('IntervalStyle')")) {
                rs.next();
                assertThat(rs.getString(1)).as("dedicated connections keep the full session settings").isEqualTo("iso_8601");
            }
        }
        try (Connection replication = pg.openReplication(); Statement st = replication.createStatement();
             ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("dbname")).isEqualTo(db);
        }
    }

    @Test
    void thePoolerRefusesStartupOptionsWhichIsWhyPooledConnectionsSendNone() {
        Properties props = PG.connectionProperties();
        props.setProperty("options", "-c IntervalStyle=iso_8601");
        assertThatThrownBy(() -> DriverManager.getConnection(
                "jdbc:postgresql://" + bouncer.host() + ":" + bouncer.port() + "/" + db, props).close())
                .isInstanceOf(SQLException.class).hasMessageContaining("unsupported startup parameter: options");
    }

    @Test
    void aPositionedReadingThroughThePoolerIsOneRepeatableReadTransactionRenderedLikeTheStream() throws Exception {
        // two server connections handed out oldest first: a statement pgjdbc sends outside the transaction (as
        // Connection.setTransactionIsolation does) lands on another server connection than the transaction after it
        try (PgBouncerTestService fifo = PgBouncerTestService.start(PG, List.of("default_pool_size = 2",
                "server_round_robin = 1", "ignore_startup_parameters = extra_float_digits"));
             Connection a = application(fifo, db); Connection b = application(fifo, db);
             Statement sa = a.createStatement(); Statement sb = b.createStatement()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            sa.execute("SELECT 1");
            sb.execute("SELECT 1"); // both server connections exist now
            a.commit();
            b.commit();
            PgConnectionSettings settings = PgConnectionSettings.of(fifo.host(), fifo.port(), db, PG.user(), PG.password())
                    .withDirectServer(PG.host(), PG.port());
            try (PgConnectionFactory pg = PgConnectionFactory.pooled(settings, "echodb-pooler-test",
                    PgPoolSettings.defaults().withSize(1, Duration.ofSeconds(5)))) {
                for (int i = 0; i < 3; i++) {
                    String seen = PgPositionedSnapshot.read(pg, TableRef.of("public", "orders"), "read", c -> {
                        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT concat_ws(' | ',"
                                + " current_setting('transaction_isolation'), current_setting('transaction_read_only'),"
                                + " ROW(interval '1 day 2 hours', '\\x01'::bytea)::text)")) {
                            rs.next();
                            return rs.getString(1);
                        }
                    }).value();
                    // the stream (walsender) and the copy render a composite's fields with every connection's settings
                    assertThat(seen).isEqualTo("repeatable read | on | (P1DT2H,\"\\\\x01\")");
                }
            }
            for (Statement st : List.of(sa, sb)) { // both server connections: nothing EchoDB set stayed behind
                try (ResultSet rs = st.executeQuery("SELECT current_setting('default_transaction_isolation'),"
                        + " current_setting('IntervalStyle')")) {
                    rs.next();
                    assertThat(rs.getString(1) + " " + rs.getString(2)).isEqualTo("read committed postgres");
                }
                st.getConnection().commit();
            }
        }
    }
}
