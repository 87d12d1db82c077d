package io.echodb.adapters.peerdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.port.in.MirrorEngineException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The flow API client against an HTTP server that answers in grpc-gateway's JSON shapes. */
class FlowApiClientTest {

    private FakePeerDb peerdb;
    private FlowApiClient client;

    @BeforeEach
    void start() throws IOException {
        peerdb = new FakePeerDb();
        peerdb.autoAdvance(false);
        client = client(peerdb.flowApiUrl(), "flow-token-2");
    }

    @AfterEach
    void stop() {
        peerdb.close();
    }

    private static FlowApiClient client(URI url, String token) {
        PeerDbSettings s = PeerDbSettingsTest.settings(url.toString(), 9900);
        return new FlowApiClient(new PeerDbSettings.FlowApi(url, token), s.timeouts(), new PeerDbFailures(s.secrets()));
    }

    @Test
    void listsMirrorsWithPeersKindAndState() {
        peerdb.put(new FakePeerDb.Mirror("users_mirror", "postgres_main", "clickhouse_analytics", "public.users", "users"))
                .status = PeerDbFlowStatus.STATUS_RUNNING;
        FakePeerDb.Mirror q = peerdb.put(new FakePeerDb.Mirror("qrep", "other", "clickhouse_analytics", "a.b", "b"));
        q.cdc = false;

        List<FlowApiClient.MirrorItem> items = client.listMirrors();

        assertThat(items).containsExactly(
                new FlowApiClient.MirrorItem("qrep", "other", "clickhouse_analytics", false, PeerDbFlowStatus.STATUS_SETUP),
                new FlowApiClient.MirrorItem("users_mirror", "postgres_main", "clickhouse_analytics", true,
                        PeerDbFlowStatus.STATUS_RUNNING));
        assertThat(peerdb.requests()).containsExactly("GET /v1/mirrors/list");
        assertThat(peerdb.authorizations()).containsExactly("Bearer flow-token-2");
    }

    @Test
    void readsStatusWithMappingsCountsAsStringsAndEnumNames() {
        FakePeerDb.Mirror m = peerdb.put(new FakePeerDb.Mirror("users_mirror", "postgres_main", "clickhouse_analytics",
                "public.users", "users"));
        m.status = PeerDbFlowStatus.STATUS_SNAPSHOT;
        m.rowsSynced = 12_345_678_901L;
        m.snapshotRows = 500;
        m.partitionsDone = 1;
        m.partitionsTotal = 4;

        FlowApiClient.MirrorDetail d = client.mirrorStatus("users_mirror").orElseThrow();

        assertThat(d).isEqualTo(new FlowApiClient.MirrorDetail("users_mirror", PeerDbFlowStatus.STATUS_SNAPSHOT, true,
                "postgres_main", "clickhouse_analytics", List.of(new FlowApiClient.TableMapping("public.users", "users")),
                12_345_678_901L, List.of(new FlowApiClient.Clone(500, 1, 4))));
        assertThat(peerdb.requests()).containsExactly(
                "POST /v1/mirrors/status {\"flowJobName\":\"users_mirror\",\"includeFlowInfo\":true,\"excludeBatches\":true}");
    }

    @Test
    void anUnknownMirrorIsAbsent() {
        assertThat(client.mirrorStatus("nothing_mirror")).isEmpty();
    }

    @Test
    void slotLagIsReadInBytesPerSlot() {
        peerdb.put(new FakePeerDb.Mirror("a_mirror", "postgres_main", "ch", "public.a", "a")).lagMb = 2.5;
        peerdb.put(new FakePeerDb.Mirror("b_mirror", "other_pg", "ch", "public.b", "b")).lagMb = 1;

        Map<String, Long> lag = client.slotLagBytes("postgres_main");

        assertThat(lag).containsExactly(Map.entry("peerflow_slot_a_mirror", 2_621_440L));
        assertThat(peerdb.requests()).containsExactly("GET /v1/peers/slots/postgres_main");
    }

    @Test
    void serverErrorsAreRetryableClientErrorsFatal() {
        peerdb.answerNextRequest(503);
        assertThatThrownBy(() -> client.listMirrors()).isInstanceOf(MirrorEngineException.class)
                .satisfies(e -> assertThat(((MirrorEngineException) e).isRetryable()).isTrue())
                .hasMessageContaining("HTTP 503").hasMessageContaining("forced answer 503");

        peerdb.answerNextRequest(400);
        assertThatThrownBy(() -> client.mirrorStatus("m")).isInstanceOf(MirrorEngineException.class)
                .satisfies(e -> assertThat(((MirrorEngineException) e).isRetryable()).isFalse());

        peerdb.answerNextRequest(404);
        assertThatThrownBy(() -> client.listMirrors()).isInstanceOf(MirrorEngineException.class)
                .satisfies(e -> assertThat(((MirrorEngineException) e).isRetryable()).isFalse());
    }

    @Test
    void aRefusedConnectionIsRetryable() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        FlowApiClient nowhere = client(URI.create("http://127.0.0.1:" + closedPort), "");

        assertThatThrownBy(nowhere::listMirrors).isInstanceOf(MirrorEngineException.class)
                .satisfies(e -> assertThat(((MirrorEngineException) e).isRetryable()).isTrue())
                .hasMessageContaining("127.0.0.1:" + closedPort);
    }

    @Test
    void noTokenMeansNoAuthorizationHeader() {
        client(peerdb.flowApiUrl(), "").listMirrors();

        assertThat(peerdb.authorizations()).containsExactly("");
    }
}
