package io.echodb.adapters.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.query.GenericRecord;
import com.clickhouse.data.ClickHouseFormat;
import io.echodb.adapters.clickhouse.testing.ClickHouseTestService;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What EchoDB relies on from ClickHouse, checked through clickhouse-jdbc against whichever ClickHouse
 * {@link ClickHouseTestService} provides (Docker, an external server or the local chDB-backed one).
 */
class ClickHouseServiceContractTest {

    private static final int ROWS = 100_000;

    private static ClickHouseTestService clickHouse;
    private static String database;

    @BeforeAll
    static void startClickHouse() {
        clickHouse = ClickHouseTestService.get();
        database = clickHouse.createDatabase("contract");
    }

    @Test
    void replacingMergeTreeTakesOneBatchOfOneHundredThousandRowsAndFinalHidesDeletedRows() throws SQLException {
        try (Connection connection = clickHouse.connect(database)) {
            createReplacingTable(connection, "orders");

            int[] counts = insertBatch(connection, "orders", 0, ROWS, 1, false);

            assertThat(counts).hasSize(ROWS);
            assertThat(countFinal(connection, "orders")).isEqualTo(ROWS);

            // Every tenth row is deleted by a newer version; the first hundred are updated.
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO orders (id, customer, amount, _version, _is_deleted) VALUES (?, ?, ?, ?, ?)")) {
                for (long id = 0; id < ROWS; id += 10) {
                    addRow(insert, id, "gone", BigDecimal.ZERO, 2, true);
                }
                for (long id = 1; id < 100; id += 10) {
                    addRow(insert, id, "updated", new BigDecimal("99.99"), 2, false);
                }
                insert.executeBatch();
            }

            assertThat(countFinal(connection, "orders")).isEqualTo(ROWS - ROWS / 10);
            assertThat(queryLong(connection, "SELECT count() FROM orders FINAL WHERE id % 10 = 0")).isZero();
            assertThat(queryString(connection, "SELECT customer FROM orders FINAL WHERE id = 11")).isEqualTo("updated");
            assertThat(queryString(connection, "SELECT toString(amount) FROM orders FINAL WHERE id = 21"))
                    .isEqualTo("99.99");
            assertThat(queryString(connection, "SELECT customer FROM orders FINAL WHERE id = 12"))
                    .isEqualTo("customer-12");
        }
    }

    @Test
    void rowBinaryBatchInsertOfOneHundredThousandRows() throws SQLException {
        Properties properties = credentials();
        properties.setProperty("beta.row_binary_for_simple_insert", "true");
        try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl(database), properties)) {
            createReplacingTable(connection, "orders_rb");

            insertBatch(connection, "orders_rb", 0, ROWS, 1, false);
            insertBatch(connection, "orders_rb", 0, ROWS / 2, 2, true);

            assertThat(countFinal(connection, "orders_rb")).isEqualTo(ROWS / 2);
            assertThat(queryLong(connection, "SELECT min(id) FROM orders_rb FINAL")).isEqualTo(ROWS / 2);
            assertThat(queryString(connection, "SELECT toString(amount) FROM orders_rb FINAL WHERE id = 77777"))
                    .isEqualTo("77777.77");
        }
    }

    @Test
    void clientV2InsertsRowBinaryStreamsAndPojosAndBindsQueryParameters() throws Exception {
        try (Connection connection = clickHouse.connect(database);
             Client client = new Client.Builder()
                     .addEndpoint(clickHouse.httpUrl())
                     .setUsername(clickHouse.user())
                     .setPassword(clickHouse.password())
                     .setDefaultDatabase(database)
                     .compressServerResponse(false)
                     .build()) {
            execute(connection, "CREATE TABLE events (id Int64, name String, score Float64) ENGINE = MergeTree ORDER BY id");

            ByteArrayOutputStream rowBinary = new ByteArrayOutputStream();
            for (long id = 0; id < ROWS; id++) {
                writeEvent(rowBinary, id, "event-" + id, id / 4.0);
            }
            try (InsertResponse response = client.insert("events",
                    new ByteArrayInputStream(rowBinary.toByteArray()), ClickHouseFormat.RowBinary).get()) {
                assertThat(response.getWrittenRows()).isEqualTo(ROWS);
            }

            // POJO inserts put the statement and the RowBinary data together in the request body.
            client.register(EventRow.class, client.getTableSchema("events"));
            List<EventRow> pojos = List.of(new EventRow(ROWS, "pojo-a", 1.5), new EventRow(ROWS + 1, "pojo-b", -2.25));
            try (InsertResponse response = client.insert("events", pojos).get()) {
                assertThat(response.getWrittenRows()).isEqualTo(2);
            }

            List<GenericRecord> records = client.queryAll(
                    "SELECT count() AS n, sum(score) AS total FROM events WHERE id >= {from:Int64} AND name LIKE {like:String}",
                    Map.of("from", ROWS - 10, "like", "%-%"));
            assertThat(records).hasSize(1);
            assertThat(records.get(0).getLong("n")).isEqualTo(12);
            assertThat(records.get(0).getDouble("total"))
                    .isEqualTo(LongStream.range(ROWS - 10, ROWS).mapToDouble(id -> id / 4.0).sum() + 1.5 - 2.25);
        }
    }

    @Test
    void typesRoundTripThroughPreparedStatementParameters() throws SQLException {
        BigDecimal decimal = new BigDecimal("-1234567890123456789012345678.0123456789");
        LocalDateTime timestamp = LocalDateTime.of(2024, 2, 29, 23, 59, 58, 123_456_000);
        UUID uuid = UUID.fromString("0b9c3f2e-6d1a-4e8b-9f00-5a7c1d2e3f40");
        try (Connection connection = clickHouse.connect(database)) {
            execute(connection, "CREATE TABLE types (id Int32, dec Decimal(38, 10), ts DateTime64(6, 'UTC'), "
                    + "uid UUID, ints Array(Int32), note Nullable(String), flag Bool) ENGINE = MergeTree ORDER BY id");
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO types (id, dec, ts, uid, ints, note, flag) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                insert.setInt(1, 1);
                insert.setBigDecimal(2, decimal);
                insert.setObject(3, timestamp);
                insert.setObject(4, uuid);
                insert.setArray(5, connection.createArrayOf("Int32", new Integer[] {1, -2, 2147483647}));
                insert.setNull(6, Types.VARCHAR);
                insert.setBoolean(7, true);
                insert.addBatch();

                insert.setInt(1, 2);
                insert.setBigDecimal(2, BigDecimal.ZERO);
                insert.setObject(3, timestamp.plusDays(1));
                insert.setObject(4, uuid);
                insert.setArray(5, connection.createArrayOf("Int32", new Integer[0]));
                insert.setString(6, "it's \"quoted\"\n\ttabbed \\ and ünïcødé");
                insert.setBoolean(7, false);
                insert.addBatch();
                insert.executeBatch();
            }

            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT id, dec, ts, uid, ints, note, flag FROM types ORDER BY id")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBigDecimal("dec")).isEqualByComparingTo(decimal);
                assertThat(rs.getObject("ts", LocalDateTime.class)).isEqualTo(timestamp);
                assertThat(rs.getObject("uid", UUID.class)).isEqualTo(uuid);
                assertThat(intArray(rs.getArray("ints"))).containsExactly(1, -2, 2147483647);
                assertThat(rs.getString("note")).isNull();
                assertThat(rs.wasNull()).isTrue();
                assertThat(rs.getBoolean("flag")).isTrue();

                assertThat(rs.next()).isTrue();
                assertThat(rs.getBigDecimal("dec")).isEqualByComparingTo(BigDecimal.ZERO);
                assertThat(rs.getObject("ts", LocalDateTime.class)).isEqualTo(timestamp.plusDays(1));
                assertThat(intArray(rs.getArray("ints"))).isEmpty();
                assertThat(rs.getString("note")).isEqualTo("it's \"quoted\"\n\ttabbed \\ and ünïcødé");
                assertThat(rs.getBoolean("flag")).isFalse();
                assertThat(rs.next()).isFalse();
            }
        }
    }

    @Test
    void wrongCredentialsAreRefused() {
        Properties wrong = new Properties();
        wrong.setProperty("user", clickHouse.user());
        wrong.setProperty("password", clickHouse.password() + "-wrong");

        assertThatThrownBy(() -> {
            try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl(database), wrong);
                 Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT 1")) {
                rs.next();
            }
        }).isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(messages(e)).containsIgnoringCase("Authentication failed").contains("516"));
    }

    @Test
    void serverErrorsArriveAsSqlExceptionsWithTheClickHouseMessage() throws SQLException {
        try (Connection connection = clickHouse.connect(database); Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.executeQuery("SELECT * FROM no_such_table"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(messages(e)).contains("Code: 60").contains("UNKNOWN_TABLE")
                            .contains("no_such_table"));

            // The connection stays usable after an error.
            assertThat(queryLong(connection, "SELECT 41 + 1")).isEqualTo(42);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /** One RowBinary row of {@code events}: Int64, String, Float64, little-endian. */
    private static void writeEvent(ByteArrayOutputStream out, long id, String name, double score) {
        byte[] text = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(8 + 5 + text.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(id);
        for (int length = text.length; ; length >>>= 7) { // LEB128 length prefix
            if (length < 0x80) {
                buffer.put((byte) length);
                break;
            }
            buffer.put((byte) ((length & 0x7f) | 0x80));
        }
        buffer.put(text).putDouble(score);
        out.write(buffer.array(), 0, buffer.position());
    }

    /** A row of {@code events} for client-v2's POJO insert. */
    public static final class EventRow {
        private long id;
        private String name;
        private double score;

        public EventRow() {
        }

        EventRow(long id, String name, double score) {
            this.id = id;
            this.name = name;
            this.score = score;
        }

        public long getId() {
            return id;
        }

        public void setId(long id) {
            this.id = id;
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public double getScore() {
            return score;
        }

        public void setScore(double score) {
            this.score = score;
        }
    }

    private static void createReplacingTable(Connection connection, String table) throws SQLException {
        execute(connection, "CREATE TABLE " + table + " (id Int64, customer String, amount Decimal(18, 2), "
                + "_version UInt64, _is_deleted UInt8) "
                + "ENGINE = ReplacingMergeTree(_version, _is_deleted) ORDER BY id");
    }

    /** Inserts rows {@code from} .. {@code to - 1} in one JDBC batch. */
    private static int[] insertBatch(Connection connection, String table, long from, long to, long version,
                                     boolean deleted) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table
                + " (id, customer, amount, _version, _is_deleted) VALUES (?, ?, ?, ?, ?)")) {
            for (long id = from; id < to; id++) {
                addRow(insert, id, "customer-" + id, BigDecimal.valueOf(id * 100 + id % 100, 2), version, deleted);
            }
            return insert.executeBatch();
        }
    }

    private static void addRow(PreparedStatement insert, long id, String customer, BigDecimal amount, long version,
                               boolean deleted) throws SQLException {
        insert.setLong(1, id);
        insert.setString(2, customer);
        insert.setBigDecimal(3, amount);
        insert.setLong(4, version);
        insert.setInt(5, deleted ? 1 : 0);
        insert.addBatch();
    }

    private static long countFinal(Connection connection, String table) throws SQLException {
        return queryLong(connection, "SELECT count() FROM " + table + " FINAL");
    }

    private static long queryLong(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            assertThat(rs.next()).as("a row from %s", sql).isTrue();
            return rs.getLong(1);
        }
    }

    private static String queryString(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            assertThat(rs.next()).as("a row from %s", sql).isTrue();
            return rs.getString(1);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static List<Integer> intArray(Array array) throws SQLException {
        Object values = array.getArray();
        List<Integer> result = new ArrayList<>();
        if (values instanceof int[] ints) {
            for (int v : ints) {
                result.add(v);
            }
        } else {
            for (Object v : (Object[]) values) {
                result.add(((Number) v).intValue());
            }
        }
        return result;
    }

    private static Properties credentials() {
        Properties properties = new Properties();
        properties.setProperty("user", clickHouse.user());
        properties.setProperty("password", clickHouse.password());
        return properties;
    }

    /** The messages of an exception and all its causes: the JDBC driver wraps the server's error. */
    private static String messages(Throwable error) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
