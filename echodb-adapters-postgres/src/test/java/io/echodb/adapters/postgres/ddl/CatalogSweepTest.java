package io.echodb.adapters.postgres.ddl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.postgres.jdbc.PgQuoting;
import io.echodb.core.model.DdlEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DDL capture without event triggers, as a managed-PostgreSQL-like role (LOGIN REPLICATION, owner of its tables, not a
 * superuser): the installer falls back to the catalog sweep, and the sweep reports what the triggers would have.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CatalogSweepTest {

    private static final String PUBLICATION = "sweep_pub";

    private PgTestDb db;
    private String role;
    private ConnectionFactory asWorker;
    private DdlCaptureSettings settings;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private long cursor;

    @BeforeEach
    void setUp() {
        db = PgTestDb.create("ddl_sweep");
        role = "cloud_" + UUID.randomUUID().toString().substring(0, 8);
        db.exec("CREATE ROLE " + role + " LOGIN REPLICATION PASSWORD 'pw'",
                "GRANT CREATE ON DATABASE " + PgQuoting.ident(db.name()) + " TO " + role);
        asWorker = db.connectionsAs(role, "pw");
        settings = DdlCaptureSettings.defaults().withGuardedPublication(PUBLICATION);
        worker("CREATE SCHEMA app", "CREATE PUBLICATION " + PUBLICATION,
                "CREATE TABLE app.parted (id int, region text, PRIMARY KEY (id, region)) PARTITION BY LIST (region)",
                "CREATE TABLE app.parted_eu PARTITION OF app.parted FOR VALUES IN ('eu')",
                "CREATE TABLE app.orders (id int PRIMARY KEY, v text)", "INSERT INTO app.orders VALUES (1, 'a'), (2, 'b')",
                "ALTER PUBLICATION " + PUBLICATION + " ADD TABLE app.orders");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        db.exec("DROP SCHEMA IF EXISTS app CASCADE", "DROP SCHEMA IF EXISTS _echodb CASCADE",
                "DROP PUBLICATION IF EXISTS " + PUBLICATION, "DROP OWNED BY " + role, "DROP ROLE " + role);
        db.close();
    }

    private void worker(String... sql) {
        try (Connection c = asWorker.connect(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private CatalogSweep startWorker() {
        DdlCaptureInstaller installer = new DdlCaptureInstaller(asWorker, settings);
        assertThat(installer.install(DdlCaptureMode.AUTO)).isEqualTo(DdlCaptureInstaller.Outcome.CATALOG_SWEEP);
        CatalogSweep sweep = new CatalogSweep(asWorker, settings, Clock.systemUTC());
        closeables.add(sweep);
        return sweep;
    }

    /** The events after the last call, as "Kind table[ from old]: reason". */
    private List<String> newEvents() {
        PgDdlEventSource source = new PgDdlEventSource(asWorker, DdlSourceSettings.of(settings));
        closeables.add(source);
        List<String> out = new ArrayList<>();
        for (DdlEvent e : source.read(cursor, 100, Duration.ZERO)) {
            cursor = e.position();
            String from = e instanceof DdlEvent.TableRenamed r ? " from " + r.from() : "";
            String why = e instanceof DdlEvent.TableRewritten w ? ": " + w.reason().replace(" (seen by the catalog sweep)", "") : "";
            out.add(e.getClass().getSimpleName() + " " + e.table() + from + why);
        }
        return out;
    }

    @Test
    void withoutEventTriggerRightsTheSweepReportsCreatedRenamedAlteredAndDroppedTables() {
        CatalogSweep sweep = startWorker();
        assertThat(db.column("SELECT count(*) FROM pg_event_trigger")).containsExactly("0");
        assertThat(db.column("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE '%truncate'"))
                .as("partitions that existed at install are watched for TRUNCATE").containsExactly("app.parted_eu");
        assertThat(sweep.sweep()).as("the catalog was recorded at install: nothing new").isZero();
        assertThat(newEvents()).isEmpty();
        worker("CREATE TABLE app.events (id int, region text, PRIMARY KEY (id, region)) PARTITION BY LIST (region)",
                "CREATE TABLE app.events_eu PARTITION OF app.events FOR VALUES IN ('eu')");
        sweep.sweep();
        assertThat(newEvents()).containsExactly("TableCreated app.events");
        String versions = "SELECT string_agg(xmin::text, ',' ORDER BY rel_oid) FROM _echodb.known_tables";
        String before = db.scalar(versions);
        sweep.sweep();
        sweep.sweep();
        assertThat(db.scalar(versions)).as("a sweep that finds nothing writes nothing").isEqualTo(before);

        worker("CREATE TABLE app.items (id bigint PRIMARY KEY, sku text)");
        sweep.sweep();
        assertThat(newEvents()).containsExactly("TableCreated app.items");

        worker("ALTER TABLE app.items RENAME TO line_items", "ALTER TABLE app.line_items RENAME COLUMN sku TO code",
                "ALTER TABLE app.orders ADD COLUMN note text");
        sweep.sweep();
        assertThat(newEvents()).containsExactly("TableRenamed app.line_items from app.items", "TableAltered app.orders",
                "TableAltered app.line_items", "TableRewritten app.line_items: RENAME COLUMN sku -> code");

        worker("DROP TABLE app.line_items");
        sweep.sweep();
        assertThat(newEvents()).containsExactly("TableDropped app.line_items");
        assertThat(sweep.status().lastError()).isNull();
        assertThat(sweep.status().lastSweepAt()).isNotNull();
    }

    @Test
    void aColumnAddedWrittenDroppedAndAddedAgainWithTheSameTypeBetweenTwoSweepsIsACopy() {
        CatalogSweep sweep = startWorker();
        sweep.sweep();
        newEvents();
        // the stream sends two identical Relation messages (v2 text), and the target's kept column would show 'old'
        worker("ALTER TABLE app.orders ADD COLUMN v2 text", "UPDATE app.orders SET v2 = 'old'",
                "ALTER TABLE app.orders DROP COLUMN v2", "ALTER TABLE app.orders ADD COLUMN v2 text");
        sweep.sweep();
        assertThat(newEvents()).containsExactly("TableAltered app.orders",
                "TableRewritten app.orders: a column added and dropped again since the last sweep");
        // a column added alone, and one dropped that the last sweep saw, are shape changes the stream carries
        worker("ALTER TABLE app.orders ADD COLUMN note text");
        sweep.sweep();
        assertThat(newEvents()).containsExactly("TableAltered app.orders");
        worker("ALTER TABLE app.orders DROP COLUMN note");
        sweep.sweep();
        assertThat(newEvents()).containsExactly("TableAltered app.orders");
    }

    @Test
    void aTableRewrittenOrChangedBeforeItsFirstSweepIsReportedCreatedAndRewritten() {
        CatalogSweep sweep = startWorker();
        sweep.sweep();
        newEvents();
        worker("CREATE TABLE app.plain (id bigint PRIMARY KEY, v bigint)", "INSERT INTO app.plain VALUES (1, 10)",
                "CREATE TABLE app.halved (id bigint PRIMARY KEY, v bigint)", "INSERT INTO app.halved VALUES (1, 10)",
                // same type, values changed by the rewrite: the stream's Relation messages do not differ
                "ALTER TABLE app.halved ALTER COLUMN v TYPE bigint USING v / 2",
                "CREATE TABLE app.readded (id bigint PRIMARY KEY, v text)", "INSERT INTO app.readded VALUES (1, 'old')",
                "ALTER TABLE app.readded DROP COLUMN v", "ALTER TABLE app.readded ADD COLUMN v text",
                "CREATE TABLE app.defaulted (id bigint PRIMARY KEY)", "INSERT INTO app.defaulted VALUES (1)",
                "ALTER TABLE app.defaulted ADD COLUMN d int DEFAULT 7");
        sweep.sweep();
        assertThat(newEvents()).containsExactlyInAnyOrder("TableCreated app.plain", "TableCreated app.halved",
                "TableCreated app.readded", "TableCreated app.defaulted",
                "TableRewritten app.halved: storage rewritten since it was created",
                "TableRewritten app.readded: a column dropped since it was created",
                "TableRewritten app.defaulted: ADD COLUMN with a default since it was created");
    }

    @Test
    void ddlDoneWhileNoWorkerRanIsReportedAfterTheRestartNotRecordedAway() {
        startWorker().close();
        worker("ALTER TABLE app.orders ALTER COLUMN v TYPE varchar(20)", "CREATE TABLE app.while_down (id int PRIMARY KEY)");
        CatalogSweep restarted = startWorker(); // installs again: must not record the catalog over the changes
        restarted.sweep();
        assertThat(newEvents()).containsExactly("TableCreated app.while_down", "TableAltered app.orders",
                "TableRewritten app.orders: type of v changed; storage rewritten (ALTER TABLE with a rewrite, VACUUM FULL,"
                        + " CLUSTER or TRUNCATE)");
    }

    @Test
    void aDroppedKeyBreaksTheApplicationsUpdatesForAtMostOneSweepAndTheTableLeavesThePublication() {
        CatalogSweep sweep = startWorker();
        worker("ALTER TABLE app.orders DROP CONSTRAINT orders_pkey");
        // The window this mode cannot close: PostgreSQL refuses UPDATE on a published table without replica identity.
        assertThatThrownBy(() -> worker("UPDATE app.orders SET v = 'x' WHERE id = 1"))
                .hasMessageContaining("does not have a replica identity and publishes updates");
        sweep.sweep();
        worker("UPDATE app.orders SET v = 'x' WHERE id = 1", "DELETE FROM app.orders WHERE id = 2");
        assertThat(db.column("SELECT count(*) FROM pg_publication_tables WHERE pubname = '" + PUBLICATION + "'"))
                .containsExactly("0");
        assertThat(newEvents()).containsExactly("TableAltered app.orders",
                "TableRewritten app.orders: lost its replica identity: it has no primary key");
    }

    /** Schema chaos seed 423920202: a worker starting (installing) while the leader swept deadlocked on the tables. */
    @Test
    void installsWhileTheLeaderSweepsNeitherDeadlockNorFail() throws Exception {
        CatalogSweep leader = startWorker();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Throwable> sweepFailure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread sweeping = new Thread(() -> {
            int i = 0;
            while (!stop.get()) {
                try {
                    worker("CREATE TABLE app.churn_" + i++ + " (id int PRIMARY KEY)");
                    leader.sweep();
                } catch (RuntimeException e) {
                    sweepFailure.compareAndSet(null, e);
                }
            }
        });
        sweeping.start();
        try {
            for (int i = 0; i < 15; i++) {
                assertThat(new DdlCaptureInstaller(asWorker, settings).install(DdlCaptureMode.AUTO))
                        .isEqualTo(DdlCaptureInstaller.Outcome.CATALOG_SWEEP);
            }
        } finally {
            stop.set(true);
            sweeping.join();
        }
        assertThat(sweepFailure.get()).as("sweeps while workers install").isNull();
    }

    @Test
    void twoWorkersSweepingAtOnceReportEachChangeOnce() throws Exception {
        CatalogSweep one = startWorker();
        CatalogSweep two = new CatalogSweep(asWorker, settings, Clock.systemUTC());
        closeables.add(two);
        for (int i = 0; i < 20; i++) {
            worker("CREATE TABLE app.t" + i + " (id int PRIMARY KEY)");
            Thread a = new Thread(one::sweep);
            Thread b = new Thread(two::sweep);
            a.start();
            b.start();
            a.join();
            b.join();
        }
        one.sweep();
        assertThat(newEvents()).hasSize(20).doesNotHaveDuplicates();
    }
}
