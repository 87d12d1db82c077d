package io.echodb.adapters.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.postgres.testing.PostgresTestService;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/** Proves that {@link PostgresTestService} gives a real PostgreSQL 17 with logical replication. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PostgresServiceContractTest {

    private static PostgresTestService pg;

    @BeforeAll
    static void startServer() {
        pg = PostgresTestService.get();
    }

    @Test
    void serverIsPostgres17WithLogicalWal() throws SQLException {
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
            assertThat(intQuery(st, "SELECT current_setting('server_version_num')::int")).isGreaterThanOrEqualTo(170000);
            assertThat(stringQuery(st, "SHOW wal_level")).isEqualTo("logical");
            assertThat(stringQuery(st, "SELECT rolreplication::text FROM pg_roles WHERE rolname = current_user"))
                    .isEqualTo("true");
        }
        assertThat(pg.version()).startsWith("17");
        assertThat(pg.jdbcUrl("x")).isEqualTo("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/x");
    }

    @Test
    void createDatabaseGivesFreshIsolatedDatabases() throws SQLException {
        String a = pg.createDatabase("contract");
        String b = pg.createDatabase("contract");
        assertThat(a).isNotEqualTo(b).startsWith("contract_");
        try (Connection c = pg.connect(a); Statement st = c.createStatement()) {
            assertThat(stringQuery(st, "SELECT current_database()")).isEqualTo(a);
            assertThat(intQuery(st, "SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public'")).isZero();
        }
        pg.dropDatabase(b);
    }

    @Test
    void pgoutputSlotWithPublicationSeesInsert() throws SQLException {
        String db = pg.createDatabase("pgoutput_sql");
        String slot = "slot_" + db;
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text)");
            st.execute("CREATE PUBLICATION pub_items FOR TABLE items");
            st.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            st.execute("INSERT INTO items VALUES (1, 'alpha')");

            // synchronous_commit=off: the SQL functions decode only up to the flushed WAL, so poll briefly
            List<Character> messageTypes = new ArrayList<>();
            boolean sawInsertOfAlpha = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!messageTypes.contains('C') && System.nanoTime() < deadline) {
                try (ResultSet rs = st.executeQuery("SELECT data FROM pg_logical_slot_get_binary_changes('" + slot
                        + "', NULL, NULL, 'proto_version', '1', 'publication_names', 'pub_items')")) {
                    while (rs.next()) {
                        byte[] data = rs.getBytes(1);
                        messageTypes.add((char) data[0]);
                        if (data[0] == 'I' && new String(data, StandardCharsets.ISO_8859_1).contains("alpha")) {
                            sawInsertOfAlpha = true;
                        }
                    }
                }
                sleep(20);
            }
            assertThat(messageTypes).contains('B', 'R', 'I', 'C');
            assertThat(sawInsertOfAlpha).isTrue();
            st.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
        pg.dropDatabase(db);
    }

    @Test
    void testDecodingSlotSeesInsert() throws SQLException {
        String db = pg.createDatabase("test_decoding");
        String slot = "slot_" + db;
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text)");
            st.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'test_decoding')");
            st.execute("INSERT INTO items VALUES (42, 'beta')");
            List<String> changes = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (changes.stream().noneMatch(l -> l.startsWith("COMMIT")) && System.nanoTime() < deadline) {
                try (ResultSet rs = st.executeQuery(
                        "SELECT data FROM pg_logical_slot_get_changes('" + slot + "', NULL, NULL)")) {
                    while (rs.next()) {
                        changes.add(rs.getString(1));
                    }
                }
                sleep(20);
            }
            assertThat(changes).anySatisfy(line -> assertThat(line)
                    .startsWith("table public.items: INSERT:")
                    .contains("id[bigint]:42")
                    .contains("name[text]:'beta'"));
            st.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
        pg.dropDatabase(db);
    }

    @Test
    void pgjdbcReplicationStreamReceivesInsertMessage() throws Exception {
        String db = pg.createDatabase("pgoutput_stream");
        String slot = "slot_" + db;
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE items (id bigint PRIMARY KEY, name text)");
            st.execute("CREATE PUBLICATION pub_stream FOR TABLE items");
        }

        Properties props = pg.connectionProperties();
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "9.4");
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        try (Connection replConn = DriverManager.getConnection(pg.jdbcUrl(db), props)) {
            PGConnection pgConn = replConn.unwrap(PGConnection.class);
            pgConn.getReplicationAPI().createReplicationSlot().logical()
                    .withSlotName(slot).withOutputPlugin("pgoutput").make();

            try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
                st.execute("INSERT INTO items VALUES (7, 'gamma')");
            }

            try (PGReplicationStream stream = pgConn.getReplicationAPI().replicationStream().logical()
                    .withSlotName(slot)
                    .withStartPosition(LogSequenceNumber.valueOf("0/0"))
                    .withSlotOption("proto_version", "1")
                    .withSlotOption("publication_names", "pub_stream")
                    .withStatusInterval(1, TimeUnit.SECONDS)
                    .start()) {
                List<Character> seen = new ArrayList<>();
                String insertedName = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (insertedName == null && System.nanoTime() < deadline) {
                    ByteBuffer msg = stream.readPending();
                    if (msg == null) {
                        Thread.sleep(10);
                        continue;
                    }
                    int offset = msg.arrayOffset() + msg.position();
                    byte[] bytes = new byte[msg.remaining()];
                    System.arraycopy(msg.array(), offset, bytes, 0, bytes.length);
                    char type = (char) bytes[0];
                    seen.add(type);
                    if (type == 'I') {
                        insertedName = parseInsertText(bytes, 1);
                    }
                    stream.setAppliedLSN(stream.getLastReceiveLSN());
                    stream.setFlushedLSN(stream.getLastReceiveLSN());
                }
                assertThat(seen).contains('B', 'R', 'I');
                assertThat(insertedName).isEqualTo("gamma");
            }
        }
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            st.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
        pg.dropDatabase(db);
    }

    @Test
    void restartKeepsPortAndData() throws SQLException {
        if (!pg.supportsRestart()) {
            assertThatThrownBy(pg::restart).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("ECHODB_TEST_POSTGRES_URL");
            return;
        }
        String db = pg.createDatabase("restart");
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id int)");
            st.execute("INSERT INTO t VALUES (1)");
        }
        int port = pg.port();
        Connection before = pg.connect(db);
        try {
            pg.restart();
            assertThat(pg.port()).isEqualTo(port);
            assertThat(before.isValid(2)).isFalse();
        } finally {
            before.close();
        }
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            assertThat(intQuery(st, "SELECT count(*)::int FROM t")).isEqualTo(1);
        }
        pg.dropDatabase(db);
    }

    /**
     * pgoutput v1 Insert: 'I', Int32 relation id, 'N', TupleData (Int16 column count, then per column
     * 't' Int32 length + bytes | 'n' | 'u'). Returns the text of the given column.
     */
    private static String parseInsertText(byte[] b, int column) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        assertThat((char) buf.get()).isEqualTo('I');
        buf.getInt();
        assertThat((char) buf.get()).isEqualTo('N');
        int columns = buf.getShort();
        String value = null;
        for (int i = 0; i < columns; i++) {
            char kind = (char) buf.get();
            if (kind == 't') {
                byte[] v = new byte[buf.getInt()];
                buf.get(v);
                if (i == column) {
                    value = new String(v, StandardCharsets.UTF_8);
                }
            }
        }
        return value;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int intQuery(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String stringQuery(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
