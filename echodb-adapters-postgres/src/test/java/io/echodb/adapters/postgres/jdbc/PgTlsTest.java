package io.echodb.adapters.postgres.jdbc;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.postgres.testing.PgBouncerTestService;
import io.echodb.adapters.postgres.testing.PostgresTestService;
import io.echodb.adapters.postgres.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to a real PostgreSQL with a self-signed CA: {@code sslmode=verify-full} with the configured root certificate works
 * for pooled, dedicated and replication connections; a certificate from another CA, a host name the certificate does
 * not list, and a server without TLS are each refused with one line that says which; behind a TLS-offering PgBouncer
 * both the pooler and the server are verified.
 */
class PgTlsTest {

    private static PostgresTestService.PrivateServer server;
    private static TestCertificates certificates;
    @TempDir
    static Path dir;

    @BeforeAll
    static void startTlsServer() {
        certificates = TestCertificates.create("EchoDB test CA");
        server = PostgresTestService.startPrivate(
                List.of("ssl = on", "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'"),
                Map.of("server.crt", certificates.serverCertificatePem(), "server.key", certificates.serverKeyPem()));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static PgConnectionSettings verifyFull(String host, Path rootCert) {
        return PgConnectionSettings.of(host, server.port(), "postgres", server.user(), server.password())
                .withParameter("sslmode", "verify-full").withParameter("sslrootcert", rootCert.toString());
    }

    private static boolean usesTls(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    @Test
    void verifyFullWithTheRightRootCertificateWorksForEveryKindOfConnection() throws Exception {
        Path ca = certificates.writeCa(dir.resolve("root.crt"));
        try (PgConnectionFactory pg = PgConnectionFactory.pooled(verifyFull("localhost", ca), "tls-test",
                PgPoolSettings.defaults().withSize(2, Duration.ofSeconds(5)))) {
            try (Connection pooled = pg.open()) {
                assertThat(usesTls(pooled)).as("pooled connection over TLS").isTrue();
            }
            try (Connection dedicated = pg.openDedicated()) {
                assertThat(usesTls(dedicated)).as("dedicated connection over TLS").isTrue();
            }
            try (Connection replication = pg.openReplication(); Statement st = replication.createStatement();
                 ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("dbname")).isEqualTo("postgres");
            }
        }
    }

    @Test
    void aReplicationConnectionSpeaksTheReplicationProtocolOverTls() throws Exception {
        Path ca = certificates.writeCa(dir.resolve("root-repl.crt"));
        PgConnectionFactory pg = new PgConnectionFactory(verifyFull("localhost", ca), "tls-repl");
        try (Connection replication = pg.openReplication(); Connection watcher = pg.openDedicated();
             Statement st = watcher.createStatement()) {
            int walsender;
            try (Statement rs = replication.createStatement(); ResultSet r = rs.executeQuery("SELECT pg_backend_pid()")) {
                r.next();
                walsender = r.getInt(1);
            }
            try (ResultSet r = st.executeQuery("SELECT ssl, version FROM pg_stat_ssl WHERE pid = " + walsender)) {
                assertThat(r.next()).isTrue();
                assertThat(r.getBoolean(1)).as("the replication connection uses TLS").isTrue();
                assertThat(r.getString(2)).startsWith("TLS");
            }
            // the replication protocol itself over TLS (the server runs with wal_level=logical): a logical slot
            try (Statement rs = replication.createStatement(); ResultSet r = rs.executeQuery(
                    "CREATE_REPLICATION_SLOT echodb_tls_probe TEMPORARY LOGICAL pgoutput (SNAPSHOT 'nothing')")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getString("slot_name")).isEqualTo("echodb_tls_probe");
            }
            try (ResultSet r = st.executeQuery("SELECT active_pid FROM pg_replication_slots"
                    + " WHERE slot_name = 'echodb_tls_probe' AND temporary")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getInt(1)).isEqualTo(walsender);
            }
        }
    }

    @Test
    void behindAPoolerBothEndpointsAreVerified() throws Exception {
        // the same sslmode and root certificate for both: the pooler offers TLS with a certificate the same CA signs
        Map<String, byte[]> files = Map.of("server.crt", certificates.serverCertificatePem(),
                "server.key", certificates.serverKeyPem());
        Path ca = certificates.writeCa(dir.resolve("root-pooler.crt"));
        Path otherCa = TestCertificates.create("Not the pooler's CA").writeCa(dir.resolve("other-pooler.crt"));
        try (PgBouncerTestService bouncer = PgBouncerTestService.start(server.host(), server.port(), server.user(),
                server.password(), List.of("ignore_startup_parameters = extra_float_digits", "client_tls_sslmode = require",
                        "client_tls_cert_file = server.crt", "client_tls_key_file = server.key"), files)) {
            PgConnectionSettings settings = PgConnectionSettings.of("localhost", bouncer.port(), "postgres", server.user(),
                    server.password()).withParameter("sslmode", "verify-full").withDirectServer("localhost", server.port());
            try (PgConnectionFactory pg = PgConnectionFactory.pooled(settings.withParameter("sslrootcert", ca.toString()),
                    "tls-pooler", PgPoolSettings.defaults().withSize(2, Duration.ofSeconds(5)))) {
                try (Connection pooled = pg.open(); Statement st = pooled.createStatement();
                     ResultSet rs = st.executeQuery("SELECT current_database()")) {
                    assertThat(rs.next()).isTrue(); // verify-full succeeds only over a verified TLS link to the pooler
                }
                try (Connection dedicated = pg.openDedicated()) {
                    assertThat(usesTls(dedicated)).as("dedicated connection, straight to the server, over TLS").isTrue();
                }
                try (Connection replication = pg.openReplication(); Statement st = replication.createStatement();
                     ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
                    assertThat(rs.next()).isTrue();
                }
            }
            try (PgConnectionFactory wrong = PgConnectionFactory.pooled(settings.withParameter("sslrootcert",
                    otherCa.toString()), "tls-pooler", PgPoolSettings.defaults().withSize(1, Duration.ofSeconds(2)))) {
                assertThatThrownBy(wrong::open).isInstanceOf(PgTlsException.class)
                        .hasMessageContaining("localhost:" + bouncer.port())
                        .hasMessageContaining("not signed by the trusted root certificate");
            }
        }
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedWithOneClearLine() {
        Path otherCa = TestCertificates.create("Some other CA").writeCa(dir.resolve("other.crt"));
        PgConnectionFactory pg = new PgConnectionFactory(verifyFull("localhost", otherCa), "tls-test");
        assertThatThrownBy(pg::openDedicated).isInstanceOf(PgTlsException.class)
                .hasMessageContaining("not signed by the trusted root certificate")
                .hasMessageContaining("sslmode=verify-full").hasMessageContaining(otherCa.toString())
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"))
                .message().doesNotContain("\n");
        assertThatThrownBy(pg::openReplication).isInstanceOf(PgTlsException.class);
        // the pool's own time-out says only that no connection came: the reason why is what the caller gets
        try (PgConnectionFactory pooled = PgConnectionFactory.pooled(verifyFull("localhost", otherCa), "tls-test",
                PgPoolSettings.defaults().withSize(1, Duration.ofSeconds(2)))) {
            assertThatThrownBy(pooled::open).isInstanceOf(PgTlsException.class)
                    .hasMessageContaining("not signed by the trusted root certificate").message().doesNotContain("\n");
        }
    }

    @Test
    void aHostNameTheCertificateDoesNotListIsRefusedWithOneClearLine() {
        Path ca = certificates.writeCa(dir.resolve("root-host.crt"));
        PgConnectionFactory pg = new PgConnectionFactory(verifyFull("127.0.0.1", ca), "tls-test");
        assertThatThrownBy(pg::openDedicated).isInstanceOf(PgTlsException.class)
                .hasMessageContaining("host name is not among the names in the server's certificate")
                .hasMessageContaining("127.0.0.1:" + server.port())
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28000"))
                .message().doesNotContain("\n");
        assertThatThrownBy(pg::openReplication).isInstanceOf(PgTlsException.class)
                .hasMessageContaining("host name is not among the names in the server's certificate");
    }

    @Test
    void aServerWithoutTlsIsRefusedWhenTlsIsRequired() throws Exception {
        PostgresTestService shared = PostgresTestService.get();
        Path ca = certificates.writeCa(dir.resolve("root-plain.crt"));
        PgConnectionFactory pg = new PgConnectionFactory(PgConnectionSettings.of("localhost", shared.port(), "postgres",
                shared.user(), shared.password()).withParameter("sslmode", "verify-full")
                .withParameter("sslrootcert", ca.toString()), "tls-test");
        assertThatThrownBy(pg::openDedicated).isInstanceOf(PgTlsException.class)
                .hasMessageContaining("does not accept TLS");
        assertThat(Files.exists(ca)).isTrue();
    }
}
