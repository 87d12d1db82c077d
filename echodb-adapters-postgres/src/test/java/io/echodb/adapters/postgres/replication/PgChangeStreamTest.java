package io.echodb.adapters.postgres.replication;

import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeStream;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.schema.UnchangedToast;
import io.echodb.core.testing.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the pgoutput stream delivers for each kind of change, against a real server. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PgChangeStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static PgTestDatabase db;

    @BeforeAll
    static void setUp() {
        db = PgTestDatabase.create("stream");
    }

    @AfterAll
    static void tearDown() {
        db.drop();
    }

    /** Runs {@code body} with a fresh slot + publication that publishes {@code tables}, torn down afterwards. */
    private static void withStream(String suffix, List<TableRef> tables, Consumer<StreamCollector> body) {
        PgChangeSource source = new PgChangeSource(db.connections(),
                PgReplicationConfig.defaults().withNames("s_" + db.name() + "_" + suffix, "p_" + suffix));
        try {
            Lsn start = source.prepare();
            tables.forEach(source::publish);
            try (ChangeStream stream = source.openStream(start)) {
                body.accept(new StreamCollector(stream));
            }
        } finally {
            source.teardown();
        }
    }

    private static TableRef t(String name) {
        return TableRef.of("public", name);
    }

    @Test
    void transactionsArriveFramedWithOrderedLsns() {
        db.sql("CREATE TABLE tx (id int PRIMARY KEY, v text)");
        withStream("tx", List.of(t("tx")), c -> {
            db.sql("BEGIN", "INSERT INTO tx VALUES (1, 'a')", "INSERT INTO tx VALUES (2, 'b')", "COMMIT");
            db.sql("UPDATE tx SET v = 'c' WHERE id = 1");
            List<ChangeEvent> events = c.untilCommits(2, WAIT);
            assertThat(events).extracting(e -> e.getClass().getSimpleName()).containsExactly(
                    "Begin", "Relation", "Insert", "Insert", "Commit", "Begin", "Update", "Commit");
            ChangeEvent.Begin b1 = (ChangeEvent.Begin) events.get(0);
            ChangeEvent.Commit c1 = (ChangeEvent.Commit) events.get(4);
            ChangeEvent.Commit c2 = (ChangeEvent.Commit) events.get(7);
            assertThat(b1.finalLsn()).isEqualTo(c1.commitLsn());
            assertThat(c1.endLsn().isAfter(c1.commitLsn())).isTrue();
            assertThat(c2.commitLsn().isAfter(c1.endLsn()) || c2.commitLsn().equals(c1.endLsn())).isTrue();
            assertThat(b1.xid()).isPositive();
            assertThat(c1.commitTime()).isAfter(java.time.Instant.now().minusSeconds(60));
            ChangeEvent.Update u = (ChangeEvent.Update) events.get(6);
            assertThat(u.oldRow()).isNull();
            assertThat(u.newRow()).isEqualTo(Row.of(1, "c"));
        });
    }

    @Test
    void primaryKeyChangeCarriesTheOldKeyAndDeleteCarriesTheKey() {
        db.sql("CREATE TABLE pkchange (id int PRIMARY KEY, v text)", "INSERT INTO pkchange VALUES (1, 'a')");
        withStream("pkc", List.of(t("pkchange")), c -> {
            db.sql("UPDATE pkchange SET id = 10 WHERE id = 1");
            db.sql("DELETE FROM pkchange WHERE id = 10");
            c.untilCommits(2, WAIT);
            ChangeEvent.Update u = c.ofType(ChangeEvent.Update.class).get(0);
            assertThat(u.oldRow()).isEqualTo(Row.of(1, null));
            assertThat(u.newRow()).isEqualTo(Row.of(10, "a"));
            ChangeEvent.Delete d = c.ofType(ChangeEvent.Delete.class).get(0);
            assertThat(d.oldRow()).isEqualTo(Row.of(10, null));
        });
    }

    @Test
    void replicaIdentityFullAndUsingIndex() {
        db.sql("CREATE TABLE rfull (x int, y text)", "ALTER TABLE rfull REPLICA IDENTITY FULL",
                "INSERT INTO rfull VALUES (1, 'a')",
                "CREATE TABLE ridx (id int PRIMARY KEY, code text NOT NULL, v int)",
                "CREATE UNIQUE INDEX ridx_code ON ridx (code)", "ALTER TABLE ridx REPLICA IDENTITY USING INDEX ridx_code",
                "INSERT INTO ridx VALUES (1, 'k1', 5)");
        withStream("rid", List.of(t("rfull"), t("ridx")), c -> {
            db.sql("UPDATE rfull SET y = 'b'");
            db.sql("DELETE FROM rfull");
            db.sql("UPDATE ridx SET code = 'k2'");
            db.sql("DELETE FROM ridx");
            c.untilCommits(4, WAIT);
            List<ChangeEvent.Relation> rel = c.ofType(ChangeEvent.Relation.class);
            TableSchema full = rel.stream().map(ChangeEvent.Relation::schema)
                    .filter(s -> s.table().name().equals("rfull")).findFirst().orElseThrow();
            TableSchema idx = rel.stream().map(ChangeEvent.Relation::schema)
                    .filter(s -> s.table().name().equals("ridx")).findFirst().orElseThrow();
            assertThat(full.keyColumns()).as("no unique index: key-less, a multiset under KEYLESS_TABLES=full").isEmpty();
            assertThat(full.isMultiset()).isTrue();
            assertThat(idx.keyColumns()).containsExactly("code");
            List<ChangeEvent.Update> updates = c.ofType(ChangeEvent.Update.class);
            assertThat(updates.get(0).oldRow()).isEqualTo(Row.of(1, "a"));
            assertThat(updates.get(0).newRow()).isEqualTo(Row.of(1, "b"));
            assertThat(updates.get(1).oldRow()).isEqualTo(Row.of(null, "k1", null));
            List<ChangeEvent.Delete> deletes = c.ofType(ChangeEvent.Delete.class);
            assertThat(deletes.get(0).oldRow()).isEqualTo(Row.of(1, "b"));
            assertThat(deletes.get(1).oldRow()).isEqualTo(Row.of(null, "k2", null));
            assertThat(full).isEqualTo(new PgChangeSource(db.connections(), PgReplicationConfig.defaults())
                    .describe(t("rfull")).orElseThrow());
        });
    }

    @Test
    void unchangedToastValuesAreMarkedNotNulled() {
        db.sql("CREATE TABLE toasty (id int PRIMARY KEY, big text, small int)",
                "INSERT INTO toasty SELECT 1, string_agg(md5(random()::text), ''), 0 FROM generate_series(1, 4000)");
        String big = db.queryString("SELECT big FROM toasty WHERE id = 1");
        assertThat(big).hasSize(4000 * 32);
        withStream("toast", List.of(t("toasty")), c -> {
            db.sql("UPDATE toasty SET small = 1 WHERE id = 1");
            db.sql("UPDATE toasty SET big = 'short', small = 2 WHERE id = 1");
            c.untilCommits(2, WAIT);
            List<ChangeEvent.Update> updates = c.ofType(ChangeEvent.Update.class);
            assertThat(updates.get(0).newRow().get(1)).isSameAs(UnchangedToast.INSTANCE);
            assertThat(updates.get(0).newRow().get(2)).isEqualTo(1);
            assertThat(updates.get(0).newRow().hasUnchangedToast()).isTrue();
            assertThat(updates.get(1).newRow()).isEqualTo(Row.of(1, "short", 2));
        });
    }

    @Test
    void truncateSchemaChangeAndOddIdentifiersFlowThrough() {
        db.sql("CREATE SCHEMA \"Sch\u00e9ma \"\"q\"\"\"",
                "CREATE TABLE \"Sch\u00e9ma \"\"q\"\"\".\"Order\" (\"Id\" int PRIMARY KEY, \"select\" text, \"\u65e5\u672c\" int)");
        TableRef odd = TableRef.of("Sch\u00e9ma \"q\"", "Order");
        String q = "\"Sch\u00e9ma \"\"q\"\"\".\"Order\"";
        withStream("odd", List.of(odd), c -> {
            db.sql("INSERT INTO " + q + " VALUES (1, 'x', 7)");
            db.sql("ALTER TABLE " + q + " ADD COLUMN \"New Col\" numeric(5,2)");
            db.sql("INSERT INTO " + q + " VALUES (2, 'y', 8, 1.25)");
            db.sql("TRUNCATE " + q);
            c.untilCommits(3, WAIT);
            List<ChangeEvent.Relation> rel = c.ofType(ChangeEvent.Relation.class);
            assertThat(rel.get(0).schema().table()).isEqualTo(odd);
            assertThat(rel.get(0).schema().columnNames()).containsExactly("Id", "select", "\u65e5\u672c");
            assertThat(rel.get(rel.size() - 1).schema().columnNames())
                    .containsExactly("Id", "select", "\u65e5\u672c", "New Col");
            List<ChangeEvent.Insert> inserts = c.ofType(ChangeEvent.Insert.class);
            assertThat(inserts.get(0).newRow()).isEqualTo(Row.of(1, "x", 7));
            assertThat(inserts.get(1).newRow()).isEqualTo(Row.of(2, "y", 8, new java.math.BigDecimal("1.25")));
            assertThat(c.ofType(ChangeEvent.Truncate.class).get(0).tables()).containsExactly(odd);
        });
        db.sql("INSERT INTO " + q + " VALUES (3, 'z', 9, 2.5)");
        PgChangeSource plain = new PgChangeSource(db.connections(),
                PgReplicationConfig.defaults().withNames("s_" + db.name() + "_oddcopy", "p_oddcopy"));
        List<Row> copied = new java.util.ArrayList<>();
        try (var snapshot = plain.openSnapshot()) {
            snapshot.copy(plain.describe(odd).orElseThrow(), java.util.Set.of(), 2, java.util.List.of(), copied::addAll);
        }
        assertThat(copied).containsExactly(Row.of(3, "z", 9, new java.math.BigDecimal("2.50")));
    }

    @Test
    void partitionChangesArriveAsTheRootAndGeneratedColumnsAreLeftOut() {
        db.sql("CREATE TABLE parted (id int, region text, g int GENERATED ALWAYS AS (id * 2) STORED,"
                        + " PRIMARY KEY (id, region)) PARTITION BY LIST (region)",
                "CREATE TABLE parted_eu PARTITION OF parted FOR VALUES IN ('eu')",
                "CREATE TABLE parted_us PARTITION OF parted FOR VALUES IN ('us')");
        withStream("part", List.of(t("parted")), c -> {
            db.sql("INSERT INTO parted (id, region) VALUES (1, 'eu'), (2, 'us')");
            c.untilCommits(1, WAIT);
            List<ChangeEvent.Insert> inserts = c.ofType(ChangeEvent.Insert.class);
            assertThat(inserts).extracting(ChangeEvent.Insert::table).containsOnly(t("parted"));
            assertThat(inserts).extracting(ChangeEvent.Insert::newRow)
                    .containsExactly(Row.of(1, "eu"), Row.of(2, "us"));
            assertThat(c.ofType(ChangeEvent.Relation.class).get(0).schema().keyColumns()).containsExactly("id", "region");
        });
    }

    @Test
    void acknowledgementMovesTheSlotAndIdleStreamsSendKeepalives() {
        db.sql("CREATE TABLE acked (id int PRIMARY KEY)");
        String slot = "s_" + db.name() + "_ack";
        withStream("ack", List.of(t("acked")), c -> {
            db.sql("INSERT INTO acked VALUES (1)");
            c.untilCommits(1, WAIT);
            ChangeEvent.Commit commit = c.ofType(ChangeEvent.Commit.class).get(0);
            c.stream().acknowledge(commit.endLsn());
            Eventually.eventually(WAIT, "confirmed_flush_lsn to reach " + commit.endLsn(), () -> {
                Lsn confirmed = Lsn.parse(db.queryString(
                        "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'"));
                return confirmed.compareTo(commit.endLsn()) >= 0;
            });
            c.until(e -> e instanceof ChangeEvent.Keepalive, 1, WAIT);
            List<ChangeEvent.Keepalive> keepalives = c.ofType(ChangeEvent.Keepalive.class);
            assertThat(keepalives.get(keepalives.size() - 1).serverLsn().compareTo(commit.endLsn()))
                    .isGreaterThanOrEqualTo(0);
        });
    }
}
