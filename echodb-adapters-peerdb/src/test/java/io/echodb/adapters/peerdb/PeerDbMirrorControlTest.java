package io.echodb.adapters.peerdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.in.MirrorNotFoundException;
import io.echodb.core.testing.ManualClock;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The adapter's behaviour against PeerDB's semantics (a simulated PeerDB: see {@link FakePeerDb}). */
class PeerDbMirrorControlTest {

    private static final String SRC = "postgres_main";
    private static final String DST = "clickhouse_analytics";
    private static final MirrorSpec USERS = new MirrorSpec(new MirrorName("users_mirror"), TableRef.of("public", "users"),
            "users");

    private FakePeerDb peerdb;
    private ManualClock clock;
    private final List<String> droppedTargets = new ArrayList<>();
    private PeerDbMirrorControl mirrors;

    @BeforeEach
    void start() throws IOException {
        peerdb = new FakePeerDb();
        clock = new ManualClock();
        mirrors = adapter(droppedTargets::add);
    }

    @AfterEach
    void stop() {
        peerdb.close();
    }

    private PeerDbMirrorControl adapter(TargetTableDropper dropper) {
        PeerDbSettings s = PeerDbSettingsTest.settings(peerdb.flowApiUrl().toString(), 9900);
        PeerDbFailures failures = new PeerDbFailures(s.secrets());
        return new PeerDbMirrorControl(s, peerdb, new FlowApiClient(s.flowApi(), s.timeouts(), failures), failures,
                clock, clock, dropper);
    }

    private FakePeerDb.Mirror existing(String name, String source, String target, PeerDbFlowStatus status) {
        FakePeerDb.Mirror m = peerdb.put(new FakePeerDb.Mirror(name, SRC, DST, source, target));
        m.status = status;
        return m;
    }

    @Test
    void createSetsUpBothPeersOnceThenTheMirror() {
        MirrorStatus status = mirrors.create(USERS);
        mirrors.create(new MirrorSpec(new MirrorName("orders_mirror"), TableRef.of("public", "orders"), "orders"));

        assertThat(status.spec()).isEqualTo(USERS);
        assertThat(status.state()).isEqualTo(MirrorState.CREATING);
        List<String> sent = peerdb.statements();
        assertThat(sent).hasSize(4);
        assertThat(sent.get(0)).startsWith("CREATE PEER IF NOT EXISTS postgres_main FROM POSTGRES WITH (host = 'postgres'");
        assertThat(sent.get(1)).startsWith("CREATE PEER IF NOT EXISTS clickhouse_analytics FROM CLICKHOUSE WITH (");
        assertThat(sent.get(2)).isEqualTo("CREATE MIRROR IF NOT EXISTS users_mirror FROM postgres_main TO "
                + "clickhouse_analytics WITH TABLE MAPPING (public.users:users) WITH (do_initial_copy = true)");
        assertThat(sent.get(3)).startsWith("CREATE MIRROR IF NOT EXISTS orders_mirror ");
        assertThat(peerdb.peers()).containsExactlyInAnyOrder(SRC, DST);
    }

    @Test
    void creatingAnExistingMirrorSendsNothing() {
        existing("users_mirror", "public.users", "users", PeerDbFlowStatus.STATUS_RUNNING);

        MirrorStatus status = mirrors.create(USERS);

        assertThat(status.state()).isEqualTo(MirrorState.RUNNING);
        assertThat(peerdb.statements()).isEmpty();
    }

    @Test
    void peersThatAlreadyExistAreFine() {
        peerdb.addPeer(SRC);
        peerdb.failNextStatement(new SQLException("peer already exists: postgres_main", "internal_error"));

        mirrors.create(USERS);

        assertThat(peerdb.statementKinds()).containsExactly(Map.entry("CREATE MIRROR", 1L), Map.entry("CREATE PEER", 2L));
    }

    @Test
    void aMirrorCreatedMeanwhileIsFine() {
        peerdb.addPeer(SRC);
        peerdb.addPeer(DST);
        mirrors.ensurePeers();
        peerdb.failNextStatement(new SQLException("mirror already exists: \"users_mirror\"", "error"));

        assertThat(mirrors.create(USERS).spec()).isEqualTo(USERS);
    }

    @Test
    void aNameTakenByAnotherTableOrPeerIsRefused() {
        existing("users_mirror", "public.people", "people", PeerDbFlowStatus.STATUS_RUNNING);
        peerdb.put(new FakePeerDb.Mirror("orders_mirror", "other_pg", DST, "public.orders", "orders"));

        assertThatThrownBy(() -> mirrors.create(USERS)).isInstanceOf(MirrorNameTakenException.class)
                .hasMessageContaining("public.people");
        assertThatThrownBy(() -> mirrors.create(new MirrorSpec(new MirrorName("orders_mirror"),
                TableRef.of("public", "orders"), "orders"))).isInstanceOf(MirrorNameTakenException.class)
                .hasMessageContaining("other_pg");
        assertThat(peerdb.statements()).isEmpty();
    }

    @Test
    void aHostileTableNameIsRefusedBeforeAnythingIsSent() {
        TableRef hostile = TableRef.of("public", "x:y) WITH (do_initial_copy = false");
        MirrorSpec spec = new MirrorSpec(MirrorName.forTable(hostile, false), hostile, "x");

        assertThatThrownBy(() -> mirrors.create(spec)).isInstanceOf(UnsupportedNameException.class)
                .satisfies(e -> assertThat(((MirrorEngineException) e).isRetryable()).isFalse());
        assertThat(peerdb.statements()).isEmpty();
        assertThat(peerdb.requests()).isEmpty();
    }

    @Test
    void aFailedPeerSetupIsRetriedOnTheNextCreate() {
        peerdb.failNextStatement(new SQLException("unable to check peer validity: transport error", "XX000"));

        assertThatThrownBy(() -> mirrors.create(USERS)).isInstanceOf(MirrorEngineException.class)
                .satisfies(e -> assertThat(((MirrorEngineException) e).isRetryable()).isTrue());
        mirrors.create(USERS);

        assertThat(peerdb.statementKinds()).containsEntry("CREATE PEER", 3L).containsEntry("CREATE MIRROR", 1L);
    }

    @Test
    void dropWaitsUntilPeerDbHasForgottenTheMirror() {
        existing("users_mirror", "public.users", "users", PeerDbFlowStatus.STATUS_RUNNING);
        peerdb.dropTakes(3);

        mirrors.drop(USERS.name(), false);

        assertThat(peerdb.mirror("users_mirror")).isNull();
        assertThat(peerdb.statements()).containsExactly("DROP MIRROR IF EXISTS users_mirror");
        assertThat(clock.sleeps()).isNotEmpty().allMatch(d -> d.equals(Duration.ofSeconds(1)));
        assertThat(mirrors.status(USERS.name())).isEmpty();
        assertThat(droppedTargets).isEmpty();
    }

    @Test
    void dropTargetIsDelegatedBecausePeerDbKeepsTheTargetTable() {
        existing("users_mirror", "public.users", "users", PeerDbFlowStatus.STATUS_PAUSED);

        mirrors.drop(USERS.name(), true);

        assertThat(droppedTargets).containsExactly("users");
    }

    @Test
    void droppingAMissingOrVanishingMirrorIsANoop() {
        mirrors.drop(USERS.name(), true);
        assertThat(peerdb.statements()).isEmpty();

        existing("users_mirror", "public.users", "users", PeerDbFlowStatus.STATUS_RUNNING);
        peerdb.failNextStatement(new SQLException(
                "unable to shutdown flow job: status: NotFound, message: \"flow users_mirror not found\"", "XX000"));
        peerdb.dropTakes(0);
        peerdb.setStatus("users_mirror", PeerDbFlowStatus.STATUS_TERMINATING);
        mirrors.drop(USERS.name(), false);

        assertThat(peerdb.mirror("users_mirror")).isNull();
        assertThat(droppedTargets).isEmpty();
    }

    @Test
    void aDropThatTakesTooLongIsRetryable() {
        existing("users_mirror", "public.users", "users", PeerDbFlowStatus.STATUS_RUNNING);
        peerdb.dropTakes(Integer.MAX_VALUE);

        assertThatThrownBy(() -> mirrors.drop(USERS.name(), true)).isInstanceOf(MirrorEngineException.class)
                .satisfies(e -> assertThat(((MirrorEngineException) e).isRetryable()).isTrue())
                .hasMessageContaining("still dropping");
        assertThat(clock.slept()).isGreaterThanOrEqualTo(Duration.ofSeconds(30));
        assertThat(droppedTargets).as("the target is kept while the mirror may still write to it").isEmpty();
    }

    @Test
    void creatingAMirrorThatIsBeingDroppedWaitsThenCreates() {
        existing("users_mirror", "public.users", "users", PeerDbFlowStatus.STATUS_TERMINATING).readsUntilGone = 2;

        mirrors.create(USERS);

        assertThat(peerdb.statementKinds()).containsEntry("CREATE MIRROR", 1L);
        assertThat(peerdb.mirror("users_mirror").status).isNotEqualTo(PeerDbFlowStatus.STATUS_TERMINATING);
    }

    @Test
    void pauseOnlyFromRunningAndIsIdempotent() {
        peerdb.autoAdvance(false);
        existing("users_mirror", "public.users", "users", PeerDbFlowStatus.STATUS_RUNNING);

        mirrors.pause(USERS.name());
        assertThat(peerdb.statements()).containsExactly("PAUSE MIRROR users_mirror");
        assertThat(mirrors.status(USERS.name()).orElseThrow().state()).isEqualTo(MirrorState.PAUSED); // PAUSING
        mirrors.pause(USERS.name());
        peerdb.setStatus("users_mirror", PeerDbFlowStatus.STATUS_PAUSED);
        mirrors.pause(USERS.name());
        assertThat(peerdb.statements()).hasSize(1);

        peerdb.setStatus("users_mirror", PeerDbFlowStatus.STATUS_SNAPSHOT);
        assertThatThrownBy(() -> mirrors.pause(USERS.name())).isInstanceOf(MirrorStateConflictException.class)
                .hasMessageContaining("STATUS_SNAPSHOT").hasMessageContaining("STATUS_RUNNING")
                .satisfies(e -> assertThat(((MirrorEngineException) e).isRetryable()).isFalse());
    }

    @Test
    void resumeOnlyFromPausedAndIsIdempotent() {
        peerdb.autoAdvance(false);
        existing("users_mirror", "public.users", "users", PeerDbFlowStatus.STATUS_PAUSED);

        mirrors.resume(USERS.name());
        assertThat(peerdb.statements()).containsExactly("RESUME MIRROR users_mirror");
        mirrors.resume(USERS.name()); // now RUNNING: nothing to do
        assertThat(peerdb.statements()).hasSize(1);

        peerdb.setStatus("users_mirror", PeerDbFlowStatus.STATUS_PAUSING);
        assertThatThrownBy(() -> mirrors.resume(USERS.name())).isInstanceOf(MirrorEngineException.class)
                .satisfies(e -> assertThat(((MirrorEngineException) e).isRetryable()).isTrue());
        peerdb.setStatus("users_mirror", PeerDbFlowStatus.STATUS_FAILED);
        assertThatThrownBy(() -> mirrors.resume(USERS.name())).isInstanceOf(MirrorStateConflictException.class);
    }

    @Test
    void pauseResumeAndResyncOfUnknownMirrorsAreNotFound() {
        for (Runnable call : List.<Runnable>of(() -> mirrors.pause(USERS.name()), () -> mirrors.resume(USERS.name()),
                () -> mirrors.resync(USERS.name()))) {
            assertThatThrownBy(call::run).isInstanceOf(MirrorNotFoundException.class).hasMessageContaining("users_mirror");
        }
        assertThat(peerdb.statements()).isEmpty();
    }

    @Test
    void aMirrorVanishingBeforeThePauseIsNotFound() {
        existing("users_mirror", "public.users", "users", PeerDbFlowStatus.STATUS_RUNNING);
        peerdb.failNextStatement(new SQLException("unable to pause flow job: flow users_mirror not found", "XX000"));

        assertThatThrownBy(() -> mirrors.pause(USERS.name())).isInstanceOf(MirrorNotFoundException.class);
    }

    @Test
    void resyncRestartsTheCopy() {
        peerdb.autoAdvance(false);
        existing("users_mirror", "public.users", "users", PeerDbFlowStatus.STATUS_FAILED);

        mirrors.resync(USERS.name());

        assertThat(peerdb.statements()).containsExactly("RESYNC MIRROR users_mirror");
        assertThat(mirrors.status(USERS.name()).orElseThrow().state()).isEqualTo(MirrorState.SNAPSHOTTING);
    }

    @Test
    void listShowsOnlyThisEnginesMirrorsSortedWithLag() {
        peerdb.autoAdvance(false);
        existing("zeta_mirror", "public.zeta", "zeta", PeerDbFlowStatus.STATUS_RUNNING).lagMb = 1;
        existing("alpha_mirror", "public.alpha", "alpha", PeerDbFlowStatus.STATUS_PAUSED);
        peerdb.put(new FakePeerDb.Mirror("foreign_peer", "other_pg", DST, "public.x", "x"));
        FakePeerDb.Mirror multi = existing("multi_mirror", "public.a", "a", PeerDbFlowStatus.STATUS_RUNNING);
        multi.mappings.add(new String[] {"public.b", "b"});
        existing("qrep_mirror", "public.q", "q", PeerDbFlowStatus.STATUS_RUNNING).cdc = false;
        existing("Bad-Name", "public.bad", "bad", PeerDbFlowStatus.STATUS_RUNNING);

        List<MirrorStatus> all = mirrors.list();

        assertThat(all).extracting(s -> s.name().value()).containsExactly("alpha_mirror", "zeta_mirror");
        assertThat(all.get(1).lagBytes()).isEqualTo(1_048_576L);
        assertThat(all.get(1).spec()).isEqualTo(new MirrorSpec(new MirrorName("zeta_mirror"), TableRef.of("public", "zeta"),
                "zeta"));
        assertThat(mirrors.status(new MirrorName("multi_mirror"))).isEmpty();
    }

    @Test
    void statusReportsRowsSnapshotProgressAndErrors() {
        peerdb.autoAdvance(false);
        FakePeerDb.Mirror m = existing("users_mirror", "public.Users", "Users", PeerDbFlowStatus.STATUS_SNAPSHOT);
        m.snapshotRows = 300;
        m.partitionsDone = 1;
        m.partitionsTotal = 4;
        m.rowsSynced = 7;

        MirrorStatus s = mirrors.status(USERS.name()).orElseThrow();

        assertThat(s.spec().source()).isEqualTo(TableRef.of("public", "Users"));
        assertThat(s.spec().targetTable()).isEqualTo("Users");
        assertThat(s.state()).isEqualTo(MirrorState.SNAPSHOTTING);
        assertThat(s.rowsSynced()).isEqualTo(307);
        assertThat(s.snapshot().rowsDone()).isEqualTo(300);
        assertThat(s.snapshot().rowsEstimated()).isEqualTo(1200);
        assertThat(s.snapshot().done()).isFalse();
        assertThat(s.lastError()).isNull();
        assertThat(s.updatedAt()).isEqualTo(clock.instant());

        peerdb.setStatus("users_mirror", PeerDbFlowStatus.STATUS_FAILED);
        assertThat(mirrors.status(USERS.name()).orElseThrow().lastError()).contains("STATUS_FAILED");
    }

    @Test
    void slotLagOutagesDoNotBreakStatus() {
        peerdb.autoAdvance(false);
        existing("users_mirror", "public.users", "users", PeerDbFlowStatus.STATUS_RUNNING).lagMb = 3;
        peerdb.failSlotReads(true);

        MirrorStatus s = mirrors.status(USERS.name()).orElseThrow();

        assertThat(s.state()).isEqualTo(MirrorState.RUNNING);
        assertThat(s.lagBytes()).isZero();
    }

    @Test
    void anOutageOfTheFlowApiIsRetryable() {
        peerdb.answerNextRequest(503);

        assertThatThrownBy(() -> mirrors.status(USERS.name())).isInstanceOf(MirrorEngineException.class)
                .satisfies(e -> assertThat(((MirrorEngineException) e).isRetryable()).isTrue());
    }
}
