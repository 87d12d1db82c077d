package io.echodb.adapters.postgres.replication;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgConnectionSettings;
import io.echodb.adapters.postgres.jdbc.PgQuoting;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.adapters.postgres.jdbc.PgSourceException;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.KeylessTables;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.testing.Eventually;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Setup, publication membership, describe and teardown of {@link PgChangeSource} against a real server. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PgChangeSourceTest {

    private static PgTestDatabase db;

    @BeforeAll
    static void setUp() {
        db = PgTestDatabase.create("source");
    }

    @AfterAll
    static void tearDown() {
        db.drop();
    }

    private static PgChangeSource source(String suffix) {
        return new PgChangeSource(db.connections(),
                PgReplicationConfig.defaults().withNames("s_" + db.name() + "_" + suffix, "p_" + suffix));
    }

    @Test
    void prepareCreatesSlotAndPublicationOnceAndTeardownDropsThem() {
        PgChangeSource source = source("prep");
        String slot = source.config().slotName();
        Lsn first = source.prepare();
        Lsn second = source.prepare();
        assertThat(first.value()).isPositive();
        assertThat(second).isEqualTo(first);
        assertThat(db.queryString("SELECT plugin FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                .isEqualTo("pgoutput");
        assertThat(db.queryString("SELECT pubviaroot::text FROM pg_publication WHERE pubname = 'p_prep'"))
                .isEqualTo("true");
        assertThat(db.queryLong("SELECT count(*) FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid"
                + " WHERE p.pubname = 'p_prep'")).isZero();
        assertThat(source.currentLsn().compareTo(first)).isGreaterThanOrEqualTo(0);
        assertThat(source.lagBytes()).isGreaterThanOrEqualTo(0);

        source.teardown();
        source.teardown();
        assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'")).isZero();
        assertThat(db.queryLong("SELECT count(*) FROM pg_publication WHERE pubname = 'p_prep'")).isZero();
        assertThat(source.lagBytes()).isZero();
    }

    @Test
    void teardownTerminatesAnActiveStream() {
        PgChangeSource source = source("active");
        Lsn start = source.prepare();
        String slot = source.config().slotName();
        try (var stream = source.openStream(start)) {
            Eventually.eventually(java.time.Duration.ofSeconds(10), "slot active", () -> "true".equals(
                    db.queryString("SELECT active::text FROM pg_replication_slots WHERE slot_name = '" + slot + "'")));
            source.teardown();
            assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"))
                    .isZero();
        }
    }

    @Test
    void publishAndUnpublishAreIdempotentAndQuoteIdentifiers() {
        PgChangeSource source = source("pub");
        source.prepare();
        try {
            db.sql("CREATE SCHEMA \"Odd \"\"Schema\"\"\"",
                    "CREATE TABLE \"Odd \"\"Schema\"\"\".\"select\" (\"Order Id\" int PRIMARY KEY, \"from\" text)");
            TableRef odd = TableRef.of("Odd \"Schema\"", "select");
            source.publish(odd);
            source.publish(odd);
            assertThat(source.isPublished(odd)).isTrue();
            assertThat(db.queryLong("SELECT count(*) FROM pg_publication_tables WHERE pubname = 'p_pub'")).isEqualTo(1);
            source.unpublish(odd, 0);
            source.unpublish(odd, 0);
            assertThat(source.isPublished(odd)).isFalse();
            assertThatThrownBy(() -> source.publish(TableRef.of("public", "missing_table")))
                    .isInstanceOf(PgSourceException.class).hasMessageContaining("missing_table");
        } finally {
            source.teardown();
        }
    }

    @Test
    void describeFollowsKeyAndReplicaIdentityRules() {
        PgChangeSource source = source("desc");
        db.sql("CREATE TABLE d_pk (b int, a int, note text NOT NULL, g int GENERATED ALWAYS AS (a * 2) STORED,"
                        + " PRIMARY KEY (b, a))",
                "CREATE TABLE d_nokey (x int, y text)",
                "CREATE TABLE d_full (x int, y text)", "ALTER TABLE d_full REPLICA IDENTITY FULL",
                "CREATE TABLE d_full_pk (id int PRIMARY KEY, y text)", "ALTER TABLE d_full_pk REPLICA IDENTITY FULL",
                "CREATE TABLE d_idx (id int PRIMARY KEY, code text NOT NULL, v int)",
                "CREATE UNIQUE INDEX d_idx_code ON d_idx (code)", "ALTER TABLE d_idx REPLICA IDENTITY USING INDEX d_idx_code",
                "CREATE TABLE d_nothing (id int PRIMARY KEY)", "ALTER TABLE d_nothing REPLICA IDENTITY NOTHING",
                "CREATE TABLE d_part (id int, region text, PRIMARY KEY (id, region)) PARTITION BY LIST (region)",
                "CREATE TABLE d_part_eu PARTITION OF d_part FOR VALUES IN ('eu')");

        TableSchema pk = source.describe(TableRef.of("public", "d_pk")).orElseThrow();
        assertThat(pk.columnNames()).containsExactly("b", "a", "note");
        assertThat(pk.keyColumns()).containsExactly("b", "a");
        assertThat(pk.identity()).isEqualTo(ReplicaIdentity.DEFAULT);
        assertThat(pk.columns()).extracting(Column::nullable).containsExactly(false, false, false);
        assertThat(pk.unsupportedReason()).isEmpty();

        TableSchema noKey = source.describe(TableRef.of("public", "d_nokey")).orElseThrow();
        assertThat(noKey.keyColumns()).isEmpty();
        assertThat(noKey.unsupportedReason()).get().asString().contains("no primary key").contains("KEYLESS_TABLES=full");
        assertThat(noKey.keylessWithoutFullIdentity()).as("key-less, REPLICA IDENTITY FULL can be set").isTrue();
        assertThat(noKey.unsupportedReason(KeylessTables.FULL)).isEmpty();

        TableSchema full = source.describe(TableRef.of("public", "d_full")).orElseThrow();
        assertThat(full.keyColumns()).as("no unique index: nothing tells identical rows apart").isEmpty();
        assertThat(full.isMultiset()).isTrue();
        assertThat(full.unsupportedReason()).as("identical rows cannot be told apart").get().asString()
                .contains("identical rows");
        assertThat(full.unsupportedReason(KeylessTables.FULL)).isEmpty();
        TableSchema fullPk = source.describe(TableRef.of("public", "d_full_pk")).orElseThrow();
        assertThat(fullPk.keyColumns()).containsExactly("id");
        assertThat(fullPk.identity()).isEqualTo(ReplicaIdentity.FULL);

        TableSchema idx = source.describe(TableRef.of("public", "d_idx")).orElseThrow();
        assertThat(idx.keyColumns()).containsExactly("code");
        assertThat(idx.identity()).isEqualTo(ReplicaIdentity.INDEX);

        TableSchema nothing = source.describe(TableRef.of("public", "d_nothing")).orElseThrow();
        assertThat(nothing.keyColumns()).isEmpty();
        assertThat(nothing.identity()).isEqualTo(ReplicaIdentity.NOTHING);

        TableSchema part = source.describe(TableRef.of("public", "d_part")).orElseThrow();
        assertThat(part.keyColumns()).containsExactly("id", "region");
        assertThat(part.columns()).extracting(Column::type).containsExactly(ColumnType.INT32, ColumnType.TEXT);

        assertThat(source.describe(TableRef.of("public", "no_such_table"))).isEmpty();
        assertThat(source.describe(TableRef.of("no_such_schema", "d_pk"))).isEmpty();
    }

    @Test
    void userWithoutReplicationGetsAClearError() {
        String role = "norepl_" + db.name();
        db.sql("CREATE ROLE \"" + role + "\" LOGIN PASSWORD 'secret-pw'",
                "GRANT CREATE ON DATABASE \"" + db.name() + "\" TO \"" + role + "\"");
        try {
            PgConnectionSettings s = db.settings();
            PgConnectionSettings weak = PgConnectionSettings.of(s.host(), s.port(), s.database(), role, "secret-pw");
            PgChangeSource source = new PgChangeSource(new PgConnectionFactory(weak),
                    PgReplicationConfig.defaults().withNames("s_" + db.name() + "_weak", "p_weak"));
            assertThatThrownBy(source::prepare).isInstanceOf(PgSourceException.class)
                    .hasMessageContaining("REPLICATION").hasMessageContaining(role);
            db.sql("DROP PUBLICATION IF EXISTS p_weak");
        } finally {
            db.sql("REVOKE CREATE ON DATABASE \"" + db.name() + "\" FROM \"" + role + "\"", "DROP ROLE \"" + role + "\"");
        }
    }

    @Test
    void namesAndSettingsAreValidatedAndPasswordsMasked() {
        assertThatThrownBy(() -> PgReplicationConfig.defaults().withNames("Bad-Slot", "pub"))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("Bad-Slot");
        assertThatThrownBy(() -> PgReplicationConfig.defaults().withNames("ok", "x'; DROP TABLE t; --"))
                .isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> PgConnectionSettings.of("h", 0, "db", "u", "p"))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("port");
        PgConnectionSettings s = PgConnectionSettings.of("h", 5432, "my db", "u", "topsecret")
                .withParameter("sslmode", "require");
        assertThat(s.toString()).doesNotContain("topsecret").contains("******").contains("sslmode");
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/my%20db");
        assertThat(PgQuoting.ident("a\"b")).isEqualTo("\"a\"\"b\"");
        assertThat(PgSql.quote(TableRef.of("S", "t x"))).isEqualTo("\"S\".\"t x\"");
        assertThat(List.of(PgQuoting.literal("it's"))).containsExactly("'it''s'");
        assertThat(PgSourceException.walLevelNotLogical("replica").getMessage())
                .contains("wal_level = logical", "'replica'", "restart");
    }

    @Test
    void sessionSettingsAreDeterministicOnEveryConnectionKind() throws Exception {
        PgConnectionFactory f = db.connections();
        for (java.sql.Connection c : List.of(f.open(), f.openReplication())) {
            try (c; var st = c.createStatement()) {
                for (String[] kv : new String[][] {{"TimeZone", "UTC"}, {"DateStyle", "ISO, MDY"},
                        {"IntervalStyle", "iso_8601"}, {"bytea_output", "hex"}}) {
                    try (var rs = st.executeQuery("SHOW " + kv[0])) {
                        rs.next();
                        assertThat(rs.getString(1)).as(kv[0]).isEqualTo(kv[1]);
                    }
                }
            }
        }
    }
}
