package io.echodb.adapters.peerdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.postgres.testing.PostgresTestService;
import io.echodb.core.model.MirrorName;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.testing.ManualClock;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SQL transport against a real PostgreSQL-protocol endpoint (PostgreSQL 17, behind a proxy that decodes what the
 * client sends). PostgreSQL does not know PeerDB's statements, which is the point: it proves the adapter sends
 * exactly the statements it built and nothing else, and that real server errors and connection failures are
 * classified (syntax error: fatal; refused connection or a killed session: retryable; bad password: fatal).
 */
class PeerDbWireTest {

    private static final String HOSTILE = "it's a \"test\"\\n -- ; DROP TABLE x; ' OR ''='' \n\t ünï€ode 😀 $$ $q$";

    private static PostgresTestService pg;
    private static String database;
    private static RecordingPgProxy proxy;

    private FakePeerDb flowApi;

    @BeforeAll
    static void startServer() throws IOException {
        pg = PostgresTestService.get();
        database = pg.createDatabase("peerdb_wire");
        proxy = new RecordingPgProxy(pg.host(), pg.port());
    }

    @AfterAll
    static void stopProxy() throws IOException {
        proxy.close();
    }

    @BeforeEach
    void startFlowApi() throws IOException {
        flowApi = new FakePeerDb();
        flowApi.autoAdvance(false);
        proxy.clear();
    }

    @AfterEach
    void stopFlowApi() {
        flowApi.close();
    }

    private PeerDbSettings settings(int port, String password) {
        PeerDbSettings base = PeerDbSettingsTest.settings(flowApi.flowApiUrl().toString(), port);
        return new PeerDbSettings(new PeerDbSettings.SqlEndpoint("127.0.0.1", port, pg.user(), password, database),
                base.flowApi(), base.source(), base.target(), base.mirrorOptions(), base.timeouts());
    }

    private PeerDbMirrorControl adapter(PeerDbSettings s) {
        PeerDbFailures failures = new PeerDbFailures(s.secrets());
        SqlTransport transport = new SqlTransport(s.sql(), s.timeouts());
        ManualClock clock = new ManualClock();
        return new PeerDbMirrorControl(s, transport::execute, new FlowApiClient(s.flowApi(), s.timeouts(), failures),
                failures, clock, clock, TargetTableDropper.NONE);
    }

    private List<Character> queryMessages() {
        return proxy.messageTypes().stream().filter(t -> t == 'Q' || t == 'P' || t == 'B' || t == 'E').toList();
    }

    @Test
    void peerSetupSendsExactlyTheBuiltStatementAndASyntaxErrorIsFatal() {
        PeerDbSettings s = settings(proxy.port(), pg.password());

        assertThatThrownBy(() -> adapter(s).ensurePeers())
                .isInstanceOf(MirrorEngineException.class)
                .satisfies(e -> assertThat(((MirrorEngineException) e).isRetryable()).isFalse())
                .hasMessageContaining("CREATE PEER IF NOT EXISTS postgres_main FROM POSTGRES")
                .hasMessageContaining("syntax error").hasMessageContaining("42601")
                .hasMessageNotContaining("pg-pass-3").hasMessageNotContaining(pg.password());
        assertThat(proxy.queries()).containsExactly(PeerDbStatements.createPostgresPeer(s.source()));
        assertThat(queryMessages()).as("one simple-protocol query, no start-up statements").containsExactly('Q');
    }

    @Test
    void mirrorCommandsReachTheServerVerbatim() {
        flowApi.put(new FakePeerDb.Mirror("users_mirror", "postgres_main", "clickhouse_analytics", "public.users", "users"))
                .status = PeerDbFlowStatus.STATUS_RUNNING;
        PeerDbMirrorControl mirrors = adapter(settings(proxy.port(), pg.password()));

        assertThatThrownBy(() -> mirrors.pause(new MirrorName("users_mirror")))
                .isInstanceOf(MirrorEngineException.class).hasMessageContaining("42601");
        assertThatThrownBy(() -> mirrors.drop(new MirrorName("users_mirror"), false))
                .isInstanceOf(MirrorEngineException.class)
                .satisfies(e -> assertThat(((MirrorEngineException) e).isRetryable()).isFalse());

        assertThat(proxy.queries()).containsExactly("PAUSE MIRROR users_mirror", "DROP MIRROR IF EXISTS users_mirror");
    }

    @Test
    void aRefusedConnectionIsRetryable() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }

        assertThatThrownBy(() -> adapter(settings(closed, pg.password())).ensurePeers())
                .isInstanceOf(MirrorEngineException.class)
                .satisfies(e -> assertThat(((MirrorEngineException) e).isRetryable()).isTrue())
                .hasMessageContaining("08001");
    }

    @Test
    void aWrongPasswordIsFatalAndNotEchoed() {
        assertThatThrownBy(() -> adapter(settings(proxy.port(), "wrong-password-7")).ensurePeers())
                .isInstanceOf(MirrorEngineException.class)
                .satisfies(e -> assertThat(((MirrorEngineException) e).isRetryable()).isFalse())
                .hasMessageContaining("28P01")
                .hasMessageNotContaining("wrong-password-7");
    }

    @Test
    void escapedValuesArriveIntactAtARealServer() throws SQLException {
        SqlTransport transport = new SqlTransport(settings(proxy.port(), pg.password()).sql(),
                PeerDbSettings.Timeouts.DEFAULTS);

        transport.execute("CREATE TABLE wire_literal AS SELECT " + PeerDbStatements.literal(HOSTILE) + "::text AS v");

        try (Connection c = pg.connect(database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT v FROM wire_literal")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(HOSTILE);
        }
    }

    @Test
    void aSessionKilledByTheServerIsRetryable() throws Exception {
        SqlTransport transport = new SqlTransport(settings(proxy.port(), pg.password()).sql(),
                PeerDbSettings.Timeouts.DEFAULTS);
        CompletableFuture<SQLException> failure = CompletableFuture.supplyAsync(() -> {
            try {
                transport.execute("SELECT pg_sleep(60) /* wire-kill */");
                return null;
            } catch (SQLException e) {
                return e;
            }
        });

        try (Connection c = pg.connect(database); Statement st = c.createStatement()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int killed = 0;
            while (killed == 0 && System.nanoTime() < deadline) {
                try (ResultSet rs = st.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        + "WHERE query LIKE '%wire-kill */' AND pid <> pg_backend_pid()")) {
                    rs.next();
                    killed = rs.getInt(1);
                }
                if (killed == 0) {
                    Thread.sleep(20);
                }
            }
            assertThat(killed).as("the sleeping session was found and terminated").isEqualTo(1);
        }

        SQLException e = failure.get(30, TimeUnit.SECONDS);
        assertThat((Throwable) e).as("the killed statement failed").isNotNull();
        assertThat(new PeerDbFailures(List.of()).sql("PAUSE MIRROR m", e).isRetryable()).isTrue();
    }
}
