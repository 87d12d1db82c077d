package io.echodb.adapters.peerdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.model.InvalidValueException;
import java.net.URI;
import java.time.Duration;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PeerDbSettingsTest {

    static PeerDbSettings settings(String flowUrl, int sqlPort) {
        return new PeerDbSettings(
                new PeerDbSettings.SqlEndpoint("127.0.0.1", sqlPort, "echodb", "sql-pass-1", "peerdb"),
                new PeerDbSettings.FlowApi(URI.create(flowUrl), "flow-token-2"),
                new PeerDbSettings.PostgresPeer("postgres_main", "postgres", 5432, "echodb", "pg-pass-3", "echodb"),
                new PeerDbSettings.ClickHousePeer("clickhouse_analytics", "clickhouse", 9000, "echodb", "ch-pass-4",
                        "echodb", true, new PeerDbSettings.S3Staging("s3://b/p", "AKIA", "s3-secret-5", "us-east-1",
                        "http://minio:9000")),
                PeerDbSettings.MirrorOptions.DEFAULTS,
                new PeerDbSettings.Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30),
                        Duration.ofSeconds(1)));
    }

    @Test
    void toStringMasksEverySecret() {
        PeerDbSettings s = settings("http://flow-api:8113", 9900);

        assertThat(s.toString())
                .doesNotContain("sql-pass-1", "flow-token-2", "pg-pass-3", "ch-pass-4", "s3-secret-5")
                .contains("****", "postgres_main", "clickhouse_analytics", "flow-api:8113", "AKIA");
        assertThat(s.secrets()).containsExactlyInAnyOrder("sql-pass-1", "flow-token-2", "pg-pass-3", "ch-pass-4",
                "s3-secret-5");
    }

    @Test
    void jdbcUrlCarriesNoCredentialsAndBracketsIpv6() {
        assertThat(new PeerDbSettings.SqlEndpoint("peerdb", 9900, "u", "p", null).jdbcUrl())
                .isEqualTo("jdbc:postgresql://peerdb:9900/peerdb");
        assertThat(new PeerDbSettings.SqlEndpoint("::1", 9900, "u", "p", "x").jdbcUrl())
                .isEqualTo("jdbc:postgresql://[::1]:9900/x");
    }

    @Test
    void flowApiPathsKeepABasePathPrefix() {
        assertThat(new PeerDbSettings.FlowApi(URI.create("http://h:8113/"), "").resolve("/v1/mirrors/list"))
                .hasToString("http://h:8113/v1/mirrors/list");
        assertThat(new PeerDbSettings.FlowApi(URI.create("https://proxy/peerdb"), "").resolve("/v1/mirrors/list"))
                .hasToString("https://proxy/peerdb/v1/mirrors/list");
    }

    @Test
    void refusesValuesPeerDbWouldMangleOrThatCouldCutAStatement() {
        assertThatThrownBy(() -> new PeerDbSettings.PostgresPeer("Postgres-Main", "h", 5432, "u", "p", "d"))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("Postgres-Main");
        assertThatThrownBy(() -> new PeerDbSettings.PostgresPeer("p", "h", 5432, "u", "pa\0ss", "d"))
                .isInstanceOf(InvalidValueException.class).hasMessageNotContaining("pa\0ss");
        assertThatThrownBy(() -> new PeerDbSettings.ClickHousePeer("c", "h", 0, "u", "", "d", true, null))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> new PeerDbSettings.FlowApi(URI.create("ftp://h/"), ""))
                .isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> new PeerDbSettings.FlowApi(URI.create("http://h/"), "a\nb"))
                .isInstanceOf(InvalidValueException.class).hasMessageNotContaining("a\nb");
        assertThatThrownBy(() -> new PeerDbSettings.MirrorOptions(true, "", "", OptionalInt.of(0), OptionalInt.empty(),
                OptionalInt.empty(), OptionalInt.empty(), "", "")).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("max_batch_size");
        assertThatThrownBy(() -> new PeerDbSettings.Timeouts(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1))).isInstanceOf(InvalidValueException.class);
    }

    @Test
    void sourceAndTargetPeersMustDiffer() {
        PeerDbSettings s = settings("http://h:8113", 9900);

        assertThatThrownBy(() -> new PeerDbSettings(s.sql(), s.flowApi(),
                new PeerDbSettings.PostgresPeer("same", "h", 5432, "u", "p", "d"),
                new PeerDbSettings.ClickHousePeer("same", "h", 9000, "u", "p", "d", true, null),
                s.mirrorOptions(), s.timeouts())).isInstanceOf(InvalidValueException.class).hasMessageContaining("differ");
    }
}
