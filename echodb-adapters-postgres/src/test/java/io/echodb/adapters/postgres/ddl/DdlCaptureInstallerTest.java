package io.echodb.adapters.postgres.ddl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.postgres.jdbc.PgQuoting;
import io.echodb.core.model.DdlEvent;
import io.echodb.core.model.DdlEvent.TableCreated;
import io.echodb.core.model.DdlEvent.TableDropped;
import io.echodb.core.model.DdlEvent.TableRenamed;
import io.echodb.core.model.TableRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** Installing DDL capture: idempotence, privileges, hostile names, the seed's triggers and channels. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DdlCaptureInstallerTest {

    private PgTestDb db;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() {
        db = PgTestDb.create("ddl_install");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        db.close();
    }

    private PgDdlEventSource source(DdlCaptureSettings capture) {
        PgDdlEventSource s = new PgDdlEventSource(db.connections(), DdlSourceSettings.of(capture));
        closeables.add(s);
        return s;
    }

    @Test
    void installCreatesTheDocumentedObjects() {
        DdlCaptureInstaller installer = new DdlCaptureInstaller(db.connections(), DdlCaptureSettings.defaults());
        assertThat(installer.isInstalled()).isFalse();
        installer.install();
        assertThat(installer.isInstalled()).isTrue();
        assertThat(db.column("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = '_echodb' AND c.relkind IN ('r', 'S') ORDER BY 1"))
                .containsExactly("ddl_cursor", "ddl_outbox", "ddl_outbox_position_seq", "known_tables", "sweep_state");
        assertThat(db.column("SELECT evtname || ':' || evtevent || ':' || evtenabled::text FROM pg_event_trigger ORDER BY 1"))
                .containsExactly("echodb_ddl_end_trigger:ddl_command_end:A", "echodb_ddl_end_trigger_rewrite:table_rewrite:A",
                        "echodb_sql_drop_trigger:sql_drop:A");
        // no SECURITY DEFINER but the publication guard (it alters the publication for any DDL issuer), pinned search_path
        assertThat(db.column("SELECT p.proname || ':' || p.prosecdef || ':' || array_to_string(p.proconfig, ',') FROM pg_proc p "
                + "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '_echodb' ORDER BY 1"))
                .containsExactly("emit_ddl_event:false:search_path=pg_catalog, pg_temp",
                        "emit_rewrite_event:false:search_path=pg_catalog, pg_temp",
                        "guard_publication:true:search_path=pg_catalog, pg_temp",
                        "mark_renamed_columns:true:search_path=pg_catalog, pg_temp",
                        "mark_rewritten:true:search_path=pg_catalog, pg_temp",
                        "on_ddl_command_end:false:search_path=pg_catalog, pg_temp",
                        "on_partition_truncate:false:search_path=pg_catalog, pg_temp",
                        "on_sql_drop:false:search_path=pg_catalog, pg_temp",
                        "on_table_rewrite:false:search_path=pg_catalog, pg_temp",
                        "watch_partition_truncates:false:search_path=pg_catalog, pg_temp");
    }

    @Test
    void installingTwiceIsHarmlessAndCapturesEachEventOnce() {
        DdlCaptureInstaller installer = new DdlCaptureInstaller(db.connections(), DdlCaptureSettings.defaults());
        assertThat(installer.install()).isEqualTo(DdlCaptureInstaller.Outcome.INSTALLED);
        db.exec("CREATE TABLE before_reinstall (id int)");
        assertThat(installer.install()).isEqualTo(DdlCaptureInstaller.Outcome.INSTALLED);
        db.exec("CREATE TABLE after_reinstall (id int)");
        assertThat(db.column("SELECT count(*) FROM pg_event_trigger")).containsExactly("3");
        List<DdlEvent> events = source(DdlCaptureSettings.defaults()).read(0, 10, Duration.ofSeconds(5));
        assertThat(events).extracting(DdlEvent::table)
                .containsExactly(TableRef.of("public", "before_reinstall"), TableRef.of("public", "after_reinstall"));
    }

    @Test
    void concurrentInstallsDoNotFail() throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 4; i++) {
            Thread th = new Thread(() -> {
                try {
                    new DdlCaptureInstaller(db.connections(), DdlCaptureSettings.defaults()).install();
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join(60_000);
        }
        assertThat(failures).isEmpty();
        assertThat(db.column("SELECT count(*) FROM pg_event_trigger")).containsExactly("3");
    }

    @Test
    void hostileNamesCannotInjectSql() throws Exception {
        db.exec("CREATE TABLE users (id int)", "INSERT INTO users VALUES (1)");
        String schema = "s'; DROP TABLE users; --$$";
        String table = "x\"; DROP TABLE users; --";
        String renamed = "y'); DELETE FROM users; SELECT ('$echodb$";
        // a hostile capture schema name too: it is spliced into DDL and function bodies (quoted)
        DdlCaptureSettings capture = DdlCaptureSettings.defaults().withSchema("cap\"$echodb$'; DROP TABLE users; --");
        new DdlCaptureInstaller(db.connections(), capture).install();
        PgDdlEventSource source = source(capture);

        try (Connection listen = db.connect(); Statement st = listen.createStatement()) {
            st.execute("LISTEN peerdb_create_mirror");
            db.exec("CREATE SCHEMA " + PgQuoting.ident(schema),
                    "CREATE TABLE " + PgQuoting.ident(schema) + "." + PgQuoting.ident(table) + " (id int)",
                    "ALTER TABLE " + PgQuoting.ident(schema) + "." + PgQuoting.ident(table) + " RENAME TO " + PgQuoting.ident(renamed),
                    "DROP TABLE " + PgQuoting.ident(schema) + "." + PgQuoting.ident(renamed));

            List<DdlEvent> events = source.read(0, 10, Duration.ofSeconds(5));
            assertThat(events).hasSize(3);
            assertThat(events.get(0)).isInstanceOf(TableCreated.class);
            assertThat(events.get(0).table()).isEqualTo(TableRef.of(schema, table));
            assertThat(events.get(1)).isInstanceOfSatisfying(TableRenamed.class, r -> {
                assertThat(r.from()).isEqualTo(TableRef.of(schema, table));
                assertThat(r.table()).isEqualTo(TableRef.of(schema, renamed));
            });
            assertThat(events.get(2)).isInstanceOf(TableDropped.class);
            assertThat(events.get(2).table()).isEqualTo(TableRef.of(schema, renamed));

            // the seed-compatible payload is valid JSON carrying the exact names
            PGNotification[] notes = listen.unwrap(PGConnection.class).getNotifications(5000);
            assertThat(notes).hasSize(1);
            try (PreparedStatement ps = listen.prepareStatement("SELECT ?::json->>'schema', ?::json->>'table'")) {
                ps.setString(1, notes[0].getParameter());
                ps.setString(2, notes[0].getParameter());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo(schema);
                    assertThat(rs.getString(2)).isEqualTo(table);
                }
            }
        }
        assertThat(db.column("SELECT count(*) FROM users")).containsExactly("1");
    }

    @Test
    void seedChannelsGetTheSeedsPayloadForCreatesAndDrops() throws SQLException {
        new DdlCaptureInstaller(db.connections(), DdlCaptureSettings.defaults()).install();
        try (Connection listen = db.connect(); Statement st = listen.createStatement()) {
            st.execute("LISTEN peerdb_create_mirror");
            st.execute("LISTEN peerdb_drop_mirror");
            st.execute("LISTEN echodb_ddl");
            db.exec("CREATE TABLE users (id int)", "ALTER TABLE users ADD COLUMN n text", "DROP TABLE users");
            List<String> got = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (got.size() < 5 && System.nanoTime() < deadline) {
                PGNotification[] notes = listen.unwrap(PGConnection.class).getNotifications(500);
                for (PGNotification n : notes == null ? new PGNotification[0] : notes) {
                    got.add(n.getName() + " " + n.getParameter());
                }
            }
            List<String> positions = db.column("SELECT position FROM _echodb.ddl_outbox ORDER BY position");
            assertThat(got).containsExactly(
                    "echodb_ddl " + positions.get(0),
                    "peerdb_create_mirror {\"schema\" : \"public\", \"table\" : \"users\"}",
                    "echodb_ddl " + positions.get(1),
                    "echodb_ddl " + positions.get(2),
                    "peerdb_drop_mirror {\"schema\" : \"public\", \"table\" : \"users\"}");
        }
    }

    @Test
    void seedChannelsCanBeTurnedOff() throws SQLException {
        new DdlCaptureInstaller(db.connections(), DdlCaptureSettings.defaults().withSeedCompatNotifications(false)).install();
        try (Connection listen = db.connect(); Statement st = listen.createStatement()) {
            st.execute("LISTEN peerdb_create_mirror");
            st.execute("LISTEN echodb_ddl");
            db.exec("CREATE TABLE users (id int)");
            PGNotification[] notes = listen.unwrap(PGConnection.class).getNotifications(2000);
            assertThat(notes).extracting(PGNotification::getName).containsExactly("echodb_ddl");
        }
    }

    @Test
    void theSeedsTriggersAreLeftAloneUnlessAskedToDropThem() {
        db.exec("CREATE FUNCTION public.seed_fn() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$",
                "CREATE EVENT TRIGGER peerdb_auto_mirror_trigger ON ddl_command_end EXECUTE FUNCTION public.seed_fn()",
                "CREATE EVENT TRIGGER peerdb_auto_mirror_drop_trigger ON sql_drop EXECUTE FUNCTION public.seed_fn()");
        new DdlCaptureInstaller(db.connections(), DdlCaptureSettings.defaults()).install();
        assertThat(db.column("SELECT evtname FROM pg_event_trigger ORDER BY 1")).containsExactly(
                "echodb_ddl_end_trigger", "echodb_ddl_end_trigger_rewrite", "echodb_sql_drop_trigger",
                "peerdb_auto_mirror_drop_trigger", "peerdb_auto_mirror_trigger");

        new DdlCaptureInstaller(db.connections(), DdlCaptureSettings.defaults().withDropLegacySeedTriggers(true)).install();
        assertThat(db.column("SELECT evtname FROM pg_event_trigger ORDER BY 1"))
                .containsExactly("echodb_ddl_end_trigger", "echodb_ddl_end_trigger_rewrite", "echodb_sql_drop_trigger");
    }

    @Test
    void aNonSuperuserGetsAClearPrivilegeErrorAndTheAdminScriptWorks() {
        String role = "worker_" + UUID.randomUUID().toString().substring(0, 8);
        db.exec("CREATE ROLE " + role + " LOGIN PASSWORD 'pw'", "GRANT CREATE ON DATABASE " + PgQuoting.ident(db.name()) + " TO " + role);
        try {
            DdlCaptureInstaller asWorker = new DdlCaptureInstaller(db.connectionsAs(role, "pw"), DdlCaptureSettings.defaults());
            assertThatThrownBy(asWorker::install)
                    .isInstanceOfSatisfying(DdlCapturePrivilegeException.class, e -> {
                        assertThat(e.getMessage()).contains("requires superuser", role, "rds_superuser", "cloudsqlsuperuser",
                                "CREATE EVENT TRIGGER", "Server said: ERROR: permission denied to create event trigger");
                        assertThat(e.adminSql()).contains("CREATE EVENT TRIGGER \"echodb_ddl_end_trigger\"",
                                "GRANT SELECT, DELETE ON \"_echodb\".\"ddl_outbox\" TO \"" + role + "\"");
                    });
            assertThat(db.column("SELECT count(*) FROM pg_namespace WHERE nspname = '_echodb'"))
                    .as("a failed install leaves nothing behind").containsExactly("0");

            // an administrator runs the script once
            String adminSql = new DdlCaptureInstaller(db.connections(), DdlCaptureSettings.defaults()).adminScript(role);
            db.exec(adminSql);
            assertThat(asWorker.install()).isEqualTo(DdlCaptureInstaller.Outcome.KEPT_EXISTING);

            // the worker can read and acknowledge; and its own DDL (not superuser, no SECURITY DEFINER) is captured
            PgDdlEventSource source = new PgDdlEventSource(db.connectionsAs(role, "pw"), DdlSourceSettings.defaults());
            closeables.add(source);
            try (Connection c = db.connectionsAs(role, "pw").connect(); Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA app");
                st.execute("CREATE TABLE app.made_by_worker (id int)");
                st.execute("ALTER TABLE app.made_by_worker RENAME TO renamed_by_worker");
                st.execute("DROP TABLE app.renamed_by_worker");
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
            List<DdlEvent> events = source.read(0, 10, Duration.ofSeconds(5));
            assertThat(events).extracting(e -> e.getClass().getSimpleName() + " " + e.table()).containsExactly(
                    "TableCreated app.made_by_worker", "TableRenamed app.renamed_by_worker", "TableDropped app.renamed_by_worker");
            source.acknowledge(events.get(2).position());
            assertThat(source.acknowledgedPosition()).isEqualTo(events.get(2).position());
        } finally {
            db.exec("DROP SCHEMA IF EXISTS app CASCADE", "DROP OWNED BY " + role, "DROP ROLE " + role);
        }
    }
}
