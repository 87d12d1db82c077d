package io.echodb.adapters.postgres.ddl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.model.DdlEvent;
import io.echodb.core.model.DdlEvent.TableAltered;
import io.echodb.core.model.DdlEvent.TableCreated;
import io.echodb.core.model.DdlEvent.TableDropped;
import io.echodb.core.model.DdlEvent.TableRenamed;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.core.testing.Eventually;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link PgDdlEventSource} and the installed triggers against a real PostgreSQL; each test gets a fresh database. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PgDdlEventSourceTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private PgTestDb db;
    private DdlCaptureInstaller installer;
    private final List<PgDdlEventSource> sources = new ArrayList<>();

    @BeforeEach
    void setUp() {
        db = PgTestDb.create("ddl_source");
        installer = new DdlCaptureInstaller(db.connections(), DdlCaptureSettings.defaults());
        assertThat(installer.install()).isEqualTo(DdlCaptureInstaller.Outcome.INSTALLED);
    }

    @AfterEach
    void tearDown() {
        sources.forEach(PgDdlEventSource::close);
        db.close();
    }

    private PgDdlEventSource source(DdlSourceSettings settings) {
        PgDdlEventSource s = new PgDdlEventSource(db.connections(), settings);
        sources.add(s);
        return s;
    }

    private PgDdlEventSource source() {
        return source(DdlSourceSettings.defaults());
    }

    /** Reads until {@code count} events arrived (or fails), acknowledging nothing. */
    private static List<DdlEvent> readAll(PgDdlEventSource source, long after, int count) {
        List<DdlEvent> out = new ArrayList<>();
        long cursor = after;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (out.size() < count && System.nanoTime() < deadline) {
            List<DdlEvent> batch = source.read(cursor, 100, Duration.ofMillis(500));
            out.addAll(batch);
            if (!batch.isEmpty()) {
                cursor = batch.get(batch.size() - 1).position();
            }
        }
        assertThat(out).as("events read").hasSize(count);
        assertThat(source.read(cursor, 100, Duration.ZERO)).as("no further events").isEmpty();
        return out;
    }

    private static TableRef t(String schema, String name) {
        return TableRef.of(schema, name);
    }

    @Test
    void everyKindOfTableDdlBecomesOneEventInOrder() {
        db.exec("CREATE TABLE a (id serial PRIMARY KEY, name text UNIQUE)",
                "CREATE TABLE b AS SELECT 1 AS x",
                "SELECT 2 AS y INTO c",
                "CREATE TABLE child (id int PRIMARY KEY, a_id int REFERENCES a(id))",
                "ALTER TABLE a ADD COLUMN z int",
                "ALTER TABLE a RENAME COLUMN z TO zz",
                "DROP TABLE b");
        List<DdlEvent> events = readAll(source(), 0, 7);

        assertThat(events).extracting(e -> e.getClass().getSimpleName() + " " + e.table()).containsExactly(
                "TableCreated public.a",
                "TableCreated public.b",
                "TableCreated public.c",
                "TableCreated public.child",
                "TableAltered public.a",
                "TableAltered public.a", // RENAME COLUMN: renamed in place through a stream marker, no copy
                "TableDropped public.b");
        assertThat(events).extracting(DdlEvent::position).isSorted().doesNotHaveDuplicates();
        assertThat(events.get(0).at()).isBeforeOrEqualTo(events.get(6).at());
    }

    @Test
    void dropSchemaCascadeReportsEveryTable() {
        db.exec("CREATE SCHEMA s2", "CREATE TABLE s2.t1 (id int)", "CREATE TABLE s2.t2 (id int)", "CREATE VIEW s2.v AS SELECT 1",
                "DROP SCHEMA s2 CASCADE");
        List<DdlEvent> events = readAll(source(), 0, 4);
        assertThat(events.subList(0, 2)).allMatch(e -> e instanceof TableCreated);
        assertThat(events.subList(2, 4)).allMatch(e -> e instanceof TableDropped)
                .extracting(DdlEvent::table).containsExactlyInAnyOrder(t("s2", "t1"), t("s2", "t2"));
    }

    @Test
    void renamesAndMovesAreReportedWithTheOldName() {
        db.exec("CREATE TABLE orders (id int)", "CREATE SCHEMA archive",
                "ALTER TABLE orders RENAME TO orders_v2",
                "ALTER TABLE orders_v2 SET SCHEMA archive");
        List<DdlEvent> events = readAll(source(), 0, 3);
        assertThat(events.get(1)).isInstanceOfSatisfying(TableRenamed.class, r -> {
            assertThat(r.from()).isEqualTo(t("public", "orders"));
            assertThat(r.table()).isEqualTo(t("public", "orders_v2"));
        });
        assertThat(events.get(2)).isInstanceOfSatisfying(TableRenamed.class, r -> {
            assertThat(r.from()).isEqualTo(t("public", "orders_v2"));
            assertThat(r.table()).isEqualTo(t("archive", "orders_v2"));
        });
    }

    @Test
    void tablesThatExistedBeforeInstallAreRenamedCorrectly() {
        installer.uninstall(true);
        db.exec("CREATE TABLE legacy (id int)");
        installer.install();
        db.exec("ALTER TABLE legacy RENAME TO legacy2");
        List<DdlEvent> events = readAll(source(), 0, 1);
        assertThat(events.get(0)).isEqualTo(new TableRenamed(events.get(0).position(), t("public", "legacy"),
                t("public", "legacy2"), events.get(0).at()));
    }

    @Test
    void partitionsAreLeftOutByDefaultAndReportedOnRequest() {
        db.exec("CREATE TABLE m (id int, k int) PARTITION BY RANGE (k)",
                "CREATE TABLE m_1 PARTITION OF m FOR VALUES FROM (0) TO (10)",
                "CREATE TABLE m_2 (id int, k int)",
                "ALTER TABLE m ATTACH PARTITION m_2 FOR VALUES FROM (10) TO (20)",
                "CREATE TABLE after_partitions (id int)",
                "DROP TABLE m");
        // default: partitions (m_1 created; m_1, m_2 dropped) are left out; m_2 was a plain table when created
        // the attach also changed the parent's rows without row changes: a rewrite event for the root
        List<DdlEvent> rootOnly = readAll(source(), 0, 6);
        assertThat(rootOnly).extracting(e -> e.getClass().getSimpleName() + " " + e.table()).containsExactly(
                "TableCreated public.m", "TableCreated public.m_2", "TableRewritten public.m", "TableAltered public.m",
                "TableCreated public.after_partitions", "TableDropped public.m");

        List<DdlEvent> all = readAll(source(DdlSourceSettings.defaults().withIncludePartitions(true).withConsumer("all")), 0, 9);
        assertThat(all).extracting(e -> e.getClass().getSimpleName() + " " + e.table()).containsSubsequence(
                "TableCreated public.m", "TableCreated public.m_1", "TableCreated public.m_2", "TableAltered public.m",
                "TableCreated public.after_partitions");
        assertThat(all.subList(6, 9)).extracting(DdlEvent::table)
                .containsExactlyInAnyOrder(t("public", "m"), t("public", "m_1"), t("public", "m_2"));
        // the outbox keeps the flag, also for drops, where the catalog can no longer tell
        assertThat(db.column("SELECT event_type || ' ' || table_name FROM _echodb.ddl_outbox WHERE is_partition ORDER BY position"))
                .containsExactlyInAnyOrder("created m_1", "dropped m_1", "dropped m_2");
    }

    @Test
    void aTruncateOfOnePartitionIsReportedAsARewriteOfItsRoot() {
        db.exec("CREATE TABLE tp (id int, k int) PARTITION BY RANGE (k)",
                "CREATE TABLE tp_1 PARTITION OF tp FOR VALUES FROM (0) TO (10)",
                "CREATE TABLE tp_2 (id int, k int)",
                "ALTER TABLE tp ATTACH PARTITION tp_2 FOR VALUES FROM (10) TO (20)",
                "INSERT INTO tp VALUES (1, 1), (2, 15)");
        List<DdlEvent> setup = readAll(source(), 0, 4);
        long before = setup.get(setup.size() - 1).position();
        db.exec("TRUNCATE tp_1");
        db.exec("TRUNCATE tp_2");
        List<DdlEvent> truncates = readAll(source(), before, 2);
        assertThat(truncates).allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(DdlEvent.TableRewritten.class,
                w -> assertThat(w.table()).isEqualTo(t("public", "tp"))));
        assertThat(truncates).extracting(e -> ((DdlEvent.TableRewritten) e).reason())
                .containsExactly("TRUNCATE of partition public.tp_1", "TRUNCATE of partition public.tp_2");
    }

    @Test
    void aRewriteIsAlsoAStreamMarkerInItsTransactionNamingTheRelation() {
        db.exec("CREATE TABLE rw (id int PRIMARY KEY)", "INSERT INTO rw VALUES (1)");
        db.exec("SELECT pg_create_logical_replication_slot('rw_probe', 'test_decoding')");
        db.exec("ALTER TABLE rw ADD COLUMN flag boolean DEFAULT true"); // row 1 reads true, nothing sent
        String oid = db.scalar("SELECT 'rw'::regclass::oid::text");
        List<String> wal = db.column("SELECT data FROM pg_logical_slot_get_changes('rw_probe', NULL, NULL)");
        db.exec("SELECT pg_drop_replication_slot('rw_probe')");
        // public 7075626c6963, rw 7277, then the reason in hex
        assertThat(wal).anySatisfy(line -> assertThat(line).contains("transactional: 1 prefix: echodb.ddl")
                .contains("content:rewritten " + oid + " 7075626c6963.7277 "));
    }

    @Test
    void aRenamedColumnIsAStreamMarkerInItsTransactionAndAColumnAddedAgainUnderADroppedNameIsARewrite() {
        db.exec("CREATE TABLE rc (id int PRIMARY KEY, a int, b text, d int)");
        long before = readAll(source(), 0, 1).get(0).position();
        db.exec("SELECT pg_create_logical_replication_slot('rc_probe', 'test_decoding')");
        db.exec("ALTER TABLE rc RENAME COLUMN a TO a2"); // rows hold values under a2 the stream never sent
        String oid = db.scalar("SELECT 'rc'::regclass::oid::text");
        List<String> wal = db.column("SELECT data FROM pg_logical_slot_get_changes('rc_probe', NULL, NULL)");
        db.exec("SELECT pg_drop_replication_slot('rc_probe')");
        // a2 is 6132, a 61, public 7075626c6963, rc 7263 (hex UTF-8)
        assertThat(wal).anySatisfy(line -> assertThat(line).contains("transactional: 1 prefix: echodb.ddl")
                .endsWith("content:rename_columns " + oid + " 7075626c6963.7263 61:6132"));
        db.exec("ALTER TABLE rc DROP COLUMN b");
        db.exec("ALTER TABLE rc ADD COLUMN b timestamptz"); // the target may still hold the old b's values
        db.exec("ALTER TABLE rc ADD COLUMN c int"); // a new name: nothing to rewrite
        db.exec("ALTER TABLE rc DROP COLUMN d, ADD COLUMN d bigint"); // in one statement

        List<DdlEvent> events = readAll(source(), before, 7);

        assertThat(events).filteredOn(e -> e instanceof DdlEvent.TableRewritten)
                .extracting(e -> ((DdlEvent.TableRewritten) e).reason())
                .containsExactly("column b added again after a drop", "column d added again after a drop");
        assertThat(events).filteredOn(e -> e instanceof TableAltered).hasSize(5);
    }

    @Test
    void readsSkipRunsOfFilteredEventsWithoutReturningThem() {
        db.exec("CREATE TABLE m (id int, k int) PARTITION BY RANGE (k)");
        for (int i = 0; i < 30; i++) {
            db.exec("CREATE TABLE m_" + i + " PARTITION OF m FOR VALUES FROM (" + i * 10 + ") TO (" + (i * 10 + 10) + ")");
        }
        db.exec("CREATE TABLE tail (id int)");
        PgDdlEventSource source = source();
        List<DdlEvent> first = source.read(0, 5, Duration.ZERO);
        assertThat(first).extracting(DdlEvent::table).containsExactly(t("public", "m"));
        List<DdlEvent> second = source.read(first.get(0).position(), 5, Duration.ofSeconds(5));
        assertThat(second).extracting(DdlEvent::table).containsExactly(t("public", "tail"));
        assertThat(source.read(second.get(0).position(), 5, Duration.ZERO)).isEmpty();
    }

    @Test
    void temporaryTablesAreIgnored() {
        db.exec("CREATE TEMP TABLE scratch (id int)", "ALTER TABLE scratch ADD COLUMN x int", "DROP TABLE scratch",
                "CREATE UNLOGGED TABLE marker (id int)");
        List<DdlEvent> events = readAll(source(), 0, 1);
        assertThat(events.get(0)).isInstanceOf(TableCreated.class);
        assertThat(events.get(0).table()).isEqualTo(t("public", "marker"));
    }

    @Test
    void eventsMadeWhileNoReaderExistsAreReadLaterFromTheCursor() {
        PgDdlEventSource first = source();
        db.exec("CREATE TABLE one (id int)");
        List<DdlEvent> seen = readAll(first, first.acknowledgedPosition(), 1);
        first.acknowledge(seen.get(0).position());
        first.close();

        db.exec("CREATE TABLE two (id int)", "DROP TABLE one");

        PgDdlEventSource second = source();
        assertThat(second.acknowledgedPosition()).isEqualTo(seen.get(0).position());
        List<DdlEvent> later = readAll(second, second.acknowledgedPosition(), 2);
        assertThat(later).extracting(DdlEvent::table).containsExactly(t("public", "two"), t("public", "one"));
    }

    @Test
    void acknowledgeNeverMovesBackwardsAndIsPerConsumer() {
        PgDdlEventSource a = source();
        PgDdlEventSource b = source(DdlSourceSettings.defaults().withConsumer("other"));
        assertThat(a.acknowledgedPosition()).isZero();
        a.acknowledge(7);
        a.acknowledge(3);
        assertThat(a.acknowledgedPosition()).isEqualTo(7);
        assertThat(b.acknowledgedPosition()).isZero();
        b.acknowledge(2);
        assertThat(a.acknowledgedPosition()).isEqualTo(7);
        assertThat(b.acknowledgedPosition()).isEqualTo(2);
    }

    @Test
    void aWaitingReadWakesUpOnTheNotification() throws Exception {
        // polling every 60 s: within the 20 s below, only the notification can end the wait
        PgDdlEventSource source = source(DdlSourceSettings.defaults().withPollInterval(Duration.ofSeconds(60)));
        Eventually.eventually(WAIT, "LISTEN connected", () -> {
            assertThat(source.read(0, 10, Duration.ofMillis(50))).isEmpty();
            return source.listenConnectCount() >= 1;
        });
        CompletableFuture<List<DdlEvent>> pending = CompletableFuture.supplyAsync(() -> source.read(0, 10, Duration.ofSeconds(60)));
        Thread.sleep(200);
        long created = System.nanoTime();
        db.exec("CREATE TABLE woke (id int)");
        assertThat(pending.get(20, TimeUnit.SECONDS)).extracting(DdlEvent::table).containsExactly(t("public", "woke"));
        assertThat(Duration.ofNanos(System.nanoTime() - created)).as("woken by the notification, not the 60 s poll")
                .isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void aKilledListenConnectionIsReopenedAndNoEventIsLost() throws Exception {
        PgDdlEventSource source = source(DdlSourceSettings.defaults().withPollInterval(Duration.ofSeconds(60)));
        // a read opens the LISTEN connection when its wait begins; on a loaded machine the first short read may end first
        Eventually.eventually(WAIT, "LISTEN connected", () -> {
            assertThat(source.read(0, 10, Duration.ofMillis(50))).isEmpty();
            return source.listenConnectCount() >= 1;
        });
        assertThat(source.listenConnectCount()).isEqualTo(1);

        assertThat(db.column("SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity "
                + "WHERE application_name = 'echodb-ddl-listener' AND datname = current_database()")).containsExactly("true");
        db.exec("CREATE TABLE during_outage (id int)");

        // the poll interval is 60 s, so this arrives only through the reconnect (which re-reads) well within the wait
        List<DdlEvent> events = source.read(0, 10, Duration.ofSeconds(30));
        assertThat(events).extracting(DdlEvent::table).containsExactly(t("public", "during_outage"));
        Eventually.eventually(WAIT, "LISTEN reconnected", () -> {
            source.read(events.get(0).position(), 10, Duration.ofMillis(100));
            return source.listenConnectCount() >= 2;
        });

        // and the new LISTEN connection delivers wake-ups again
        CompletableFuture<List<DdlEvent>> pending = CompletableFuture.supplyAsync(
                () -> source.read(events.get(0).position(), 10, Duration.ofSeconds(60)));
        Thread.sleep(200);
        db.exec("CREATE TABLE after_outage (id int)");
        assertThat(pending.get(30, TimeUnit.SECONDS)).extracting(DdlEvent::table).containsExactly(t("public", "after_outage"));
    }

    @Test
    void aKilledReaderConnectionIsReopenedTransparently() {
        PgDdlEventSource source = source();
        db.exec("CREATE TABLE x1 (id int)");
        assertThat(source.read(0, 10, Duration.ZERO)).hasSize(1);
        db.column("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'echodb-ddl-reader' "
                + "AND datname = current_database()");
        db.exec("CREATE TABLE x2 (id int)");
        assertThat(source.read(0, 10, Duration.ZERO)).extracting(DdlEvent::table)
                .containsExactly(t("public", "x1"), t("public", "x2"));
    }

    @Test
    void aPositionTakenByAnOpenTransactionIsNeverSkipped() throws SQLException {
        PgDdlEventSource source = source();
        try (Connection slow = db.connect(); Statement st = slow.createStatement()) {
            slow.setAutoCommit(false);
            st.execute("CREATE TABLE slow_one (id int)"); // takes the lower position, commits last
            db.exec("CREATE TABLE fast_one (id int)");     // higher position, already committed

            assertThat(source.read(0, 10, Duration.ofMillis(300)))
                    .as("nothing is delivered while a lower position may still commit").isEmpty();
            slow.commit();
        }
        List<DdlEvent> events = source.read(0, 10, Duration.ofSeconds(10));
        assertThat(events).extracting(DdlEvent::table).containsExactly(t("public", "slow_one"), t("public", "fast_one"));
    }

    @Test
    void rolledBackDdlLeavesNoEvent() throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("CREATE TABLE never (id int)");
            c.rollback();
        }
        db.exec("CREATE TABLE kept (id int)");
        assertThat(readAll(source(), 0, 1)).extracting(DdlEvent::table).containsExactly(t("public", "kept"));
    }

    @Test
    void pruneDeletesOnlyAcknowledgedEvents() {
        db.exec("CREATE TABLE p1 (id int)", "CREATE TABLE p2 (id int)", "CREATE TABLE p3 (id int)");
        PgDdlEventSource source = source();
        List<DdlEvent> events = readAll(source, 0, 3);
        assertThat(source.prune(Duration.ZERO, 0)).as("no cursor yet: nothing pruned").isZero();
        source.acknowledge(events.get(1).position());
        assertThat(source.prune(Duration.ofDays(1), 0)).as("too young").isZero();
        assertThat(source.prune(Duration.ZERO, 0)).isEqualTo(2);
        assertThat(source.read(0, 10, Duration.ZERO)).extracting(DdlEvent::table).containsExactly(t("public", "p3"));
        assertThat(source.outboxSize()).isEqualTo(1);
    }

    @Test
    void pruneKeepsTheNewestEventsForDiagnostics() {
        db.exec("CREATE TABLE k1 (id int)", "CREATE TABLE k2 (id int)", "CREATE TABLE k3 (id int)", "CREATE TABLE k4 (id int)");
        PgDdlEventSource source = source();
        List<DdlEvent> events = readAll(source, 0, 4);
        long before = source.outboxSize();
        source.acknowledge(events.get(3).position());

        assertThat(source.prune(Duration.ZERO, (int) before)).as("all of them are among the newest").isZero();
        assertThat(source.prune(Duration.ZERO, 3)).isEqualTo(before - 3);
        assertThat(source.read(0, 10, Duration.ZERO)).extracting(DdlEvent::table)
                .containsExactly(t("public", "k2"), t("public", "k3"), t("public", "k4"));
        assertThat(source.outboxSize()).isEqualTo(3);
    }

    @Test
    void aMissingOutboxIsReportedAsNotInstalled() {
        installer.uninstall(true);
        PgDdlEventSource source = source();
        assertThatThrownBy(() -> source.read(0, 10, Duration.ZERO))
                .isInstanceOf(DdlCaptureNotInstalledException.class).hasMessageContaining("_echodb");
    }

    @Test
    void anUnreachableServerIsSourceUnavailable() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        Properties props = db.server().connectionProperties();
        ConnectionFactory dead = ConnectionFactory.of("jdbc:postgresql://127.0.0.1:" + deadPort + "/x", props);
        PgDdlEventSource source = new PgDdlEventSource(dead, DdlSourceSettings.defaults());
        sources.add(source);
        assertThatThrownBy(() -> source.read(0, 10, Duration.ZERO)).isInstanceOf(SourceUnavailableException.class);
        assertThatThrownBy(source::acknowledgedPosition).isInstanceOf(SourceUnavailableException.class);
        assertThatThrownBy(() -> new DdlCaptureInstaller(dead, DdlCaptureSettings.defaults()).install())
                .isInstanceOf(SourceUnavailableException.class);
    }

    @Test
    void ddlUnderReplicaSessionRoleIsCapturedToo() throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("SET session_replication_role = replica");
            st.execute("CREATE TABLE from_a_migration_tool (id int)");
        }
        assertThat(readAll(source(), 0, 1)).extracting(DdlEvent::table).containsExactly(t("public", "from_a_migration_tool"));
    }

    @Test
    void alteredEventsNameTheTable() {
        db.exec("CREATE TABLE r (id int)", "ALTER TABLE r ADD PRIMARY KEY (id)", "ALTER TABLE r REPLICA IDENTITY FULL");
        List<DdlEvent> events = readAll(source(), 0, 3);
        assertThat(events.subList(1, 3)).allSatisfy(e -> {
            assertThat(e).isInstanceOf(TableAltered.class);
            assertThat(e.table()).isEqualTo(t("public", "r"));
        });
    }
}
