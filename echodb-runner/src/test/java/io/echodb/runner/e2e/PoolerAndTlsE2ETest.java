package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.echodb.adapters.postgres.testing.PgBouncerTestService;
import io.echodb.adapters.postgres.testing.PostgresTestService;
import io.echodb.adapters.postgres.testing.TestCertificates;
import io.echodb.runner.EchoDbApplication;
import io.echodb.runner.wiring.StartupException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner where the users' PostgreSQL runs: behind a real PgBouncer in transaction mode (ordinary connections through
 * it, replication and session-bound ones straight to the server) it mirrors and verifies a table; with
 * {@code POSTGRES_SSLMODE=verify-full} and a root certificate from another CA it stops start-up with one line.
 */
class PoolerAndTlsE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private final Stack stack = new Stack("e2e_pooler");
    private PgBouncerTestService bouncer;
    private PostgresTestService.PrivateServer tlsServer;
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        stack.close();
        if (bouncer != null) {
            bouncer.close();
        }
        if (tlsServer != null) {
            tlsServer.close();
        }
    }

    @Test
    void mirrorsAndVerifiesThroughATransactionModePgBouncer() {
        bouncer = PgBouncerTestService.start(stack.pg, List.of("default_pool_size = 4",
                "ignore_startup_parameters = extra_float_digits"));
        stack.sql("CREATE TABLE pooled (id int PRIMARY KEY, v text)", "INSERT INTO pooled VALUES (1, 'a'), (2, 'b')");
        Map<String, String> env = stack.env("e2e-pooler", "postgres");
        env.put("POSTGRES_HOST", bouncer.host());
        env.put("POSTGRES_PORT", Integer.toString(bouncer.port()));
        env.put("POSTGRES_DIRECT_HOST", stack.pg.host());
        env.put("POSTGRES_DIRECT_PORT", Integer.toString(stack.pg.port()));
        EchoDbApplication app = stack.start(env);

        eventually(WAIT, () -> assertThat(stack.get(app, "/mirrors/pooled_mirror").path("state").asText())
                .isEqualToIgnoringCase("RUNNING"));
        stack.sql("INSERT INTO pooled VALUES (3, 'c')", "UPDATE pooled SET v = 'B' WHERE id = 2", "DELETE FROM pooled WHERE id = 1");
        eventually(WAIT, () -> assertThat(stack.chFinal("pooled", "id, v"))
                .containsExactly(List.of("2", "B"), List.of("3", "c")));
        eventually(WAIT, () -> {
            JsonNode verify = stack.get(app, "/verify?schema=public&table=pooled");
            assertThat(verify.path("match").asBoolean()).as(verify.toString()).isTrue();
        });
        assertThat(stack.get(app, "/ready").path("_status").asInt()).isEqualTo(200);
    }

    @Test
    void aServerCertificateFromAnotherCaStopsStartUpWithOneLine() {
        TestCertificates certificates = TestCertificates.create("EchoDB e2e CA");
        tlsServer = PostgresTestService.startPrivate(
                List.of("ssl = on", "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'"),
                Map.of("server.crt", certificates.serverCertificatePem(), "server.key", certificates.serverKeyPem()));
        Path otherCa = TestCertificates.create("Another CA").writeCa(dir.resolve("other-ca.crt"));
        Map<String, String> env = stack.env("e2e-tls", "none");
        env.put("POSTGRES_HOST", "localhost");
        env.put("POSTGRES_PORT", Integer.toString(tlsServer.port()));
        env.put("POSTGRES_DB", "postgres");
        env.put("POSTGRES_USER", tlsServer.user());
        env.put("POSTGRES_PASSWORD", tlsServer.password());
        env.put("POSTGRES_SSLMODE", "verify-full");
        env.put("POSTGRES_SSLROOTCERT", otherCa.toString());
        env.put("MAX_RECONNECT_ATTEMPTS", "30");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> stack.start(env)).isInstanceOf(StartupException.class)
                .hasMessageContaining("TLS refused for PostgreSQL at localhost:" + tlsServer.port())
                .hasMessageContaining("not signed by the trusted root certificate")
                .message().doesNotContain("\n").doesNotContain(tlsServer.password());
        assertThat((System.nanoTime() - t0) / 1_000_000).as("no retries: waiting does not fix a certificate").isLessThan(20_000);
    }
}
