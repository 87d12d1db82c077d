package io.echodb.adapters.postgres.replication;

import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeStream;
import io.echodb.core.port.out.SnapshotSession;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.PgInterval;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.SpecialValue;
import io.echodb.core.schema.TableSchema;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole type matrix, decoded through the stream (pgoutput) and through the snapshot (COPY): both must give
 * exactly the expected Java values.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PgValueMatrixTest {

    private static final TableRef TABLE = TableRef.of("Mixed Case", "Types \"Matrix\"");
    private static final String Q = "\"Mixed Case\".\"Types \"\"Matrix\"\"\"";

    private static PgTestDatabase db;
    private static PgChangeSource source;

    private static final String COLUMNS = "id, c_int2, c_int4, c_int8, c_float4, c_float8, c_dec, c_num, c_text,"
            + " c_varchar, c_char, c_bytea, c_bool, c_date, c_time, c_timetz, c_ts, c_tstz, c_interval, c_uuid,"
            + " c_json, c_jsonb, c_enum, c_int_arr, c_text_arr";

    private static final String HUGE = "1" + "0".repeat(100) + ".000000000000000000000000000001";

    private static final String[] INSERTS = {
        "(1, -32768, 2147483647, -9223372036854775808, 0.1, 3.141592653589793, 123456789.125,"
            + " 123456789012345678901234567890.123456789, E'h\u00e9llo \"w\u00f6rld\"\\ttab\\nnewline\\\\back \u65e5\u672c',"
            + " 'v', 'ab', '\\x00ff5c0a09', true, '2024-02-29', '23:59:59.999999', '12:00:00+02',"
            + " '2024-02-29 13:14:15.123456', '2024-02-29 13:14:15.5+01', '1 year 2 months 3 days 04:05:06.789',"
            + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": [1, 2]}', '{\"b\": 1, \"a\": \"x\"}', 'happy',"
            + " '{1,NULL,-3}', ARRAY['a b', 'q\"uote', NULL, 'NULL', 'back\\slash', 'plain', '', E'tab\\there', '{br}', 'com,ma'])",
        "(2, 0, 0, 0, 'NaN', 'Infinity', 'NaN', '-Infinity', '', '', '', '\\x', false, 'infinity', '24:00:00',"
            + " '00:00:00-03:30', '-infinity', 'infinity', '-1 year -2 days +03:00:00', '00000000-0000-0000-0000-000000000000',"
            + " '[]', '[]', 'sad', '{}', '{}')",
        "(3, 32767, -2147483648, 9223372036854775807, '-Infinity', 'NaN', -0.001, " + HUGE + ", 'x', 'y', 'abcde',"
            + " '\\xdeadbeef', true, '9999-12-31', '00:00:00', '23:59:59+00', '9999-12-31 23:59:59.999999',"
            + " '0001-01-01 00:00:00+00', '-00:00:00.5', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'null', '\"s\"', 'ok',"
            + " '{{1,2},{3,4}}', '[0:1]={x,y}')",
        "(4, 1, 1, 1, 1, -1e-300, 0, -1.50, 'z', 'z', 'z', '\\x00', false, '4713-01-01 BC', '12:34:56', '12:34:56.5+05:45',"
            + " '0001-12-31 23:59:59 BC', '0044-03-15 12:00:00+00 BC', '0 seconds', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',"
            + " '{}', '{}', 'happy', '{-1}', '{\"\"}')",
        "(5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
            + " NULL, NULL, NULL, NULL, NULL, NULL)",
    };

    @BeforeAll
    static void setUp() {
        db = PgTestDatabase.create("value_matrix");
        db.sql("CREATE SCHEMA \"Mixed Case\"",
                "CREATE TYPE \"Mixed Case\".mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE TABLE " + Q + " (id int PRIMARY KEY, c_int2 smallint, c_int4 integer, c_int8 bigint,"
                        + " c_float4 real, c_float8 double precision, c_dec numeric(12,3), c_num numeric, c_text text,"
                        + " c_varchar varchar(20), c_char char(5), c_bytea bytea, c_bool boolean, c_date date,"
                        + " c_time time, c_timetz timetz, c_ts timestamp, c_tstz timestamptz, c_interval interval,"
                        + " c_uuid uuid, c_json json, c_jsonb jsonb, c_enum \"Mixed Case\".mood, c_int_arr int[],"
                        + " c_text_arr text[])");
        source = new PgChangeSource(db.connections(), PgReplicationConfig.defaults().withNames("s_" + db.name(), "echodb_pub"));
    }

    @AfterAll
    static void tearDown() {
        if (source != null) {
            source.teardown();
        }
        db.drop();
    }

    @Test
    void describeMapsEveryType() {
        TableSchema schema = source.describe(TABLE).orElseThrow();
        assertThat(schema.keyColumns()).containsExactly("id");
        assertThat(schema.columns()).extracting(Column::type).containsExactly(
                ColumnType.INT32, ColumnType.INT16, ColumnType.INT32, ColumnType.INT64, ColumnType.FLOAT32,
                ColumnType.FLOAT64, new ColumnType.Decimal(12, 3), ColumnType.NUMERIC, ColumnType.TEXT,
                ColumnType.TEXT, ColumnType.TEXT, ColumnType.BYTES, ColumnType.BOOL, ColumnType.DATE, ColumnType.TIME,
                ColumnType.TIME, ColumnType.TIMESTAMP, ColumnType.TIMESTAMPTZ, ColumnType.INTERVAL, ColumnType.UUID,
                ColumnType.JSON, ColumnType.JSON, new ColumnType.Enum("Mixed Case.mood", List.of("sad", "ok", "happy")),
                new ColumnType.ArrayOf(ColumnType.INT32), new ColumnType.ArrayOf(ColumnType.TEXT));
        assertThat(schema.columns()).extracting(Column::sourceType).contains("numeric(12,3)", "character varying(20)",
                "character(5)", "timestamp with time zone", "integer[]", "\"Mixed Case\".mood");
        assertThat(schema.columns().get(0).nullable()).isFalse();
        assertThat(schema.columns().get(1).nullable()).isTrue();
    }

    @Test
    void streamAndSnapshotDecodeTheMatrixIdentically() {
        Lsn start = source.prepare();
        source.publish(TABLE);
        TableSchema schema = source.describe(TABLE).orElseThrow();

        List<Row> streamed;
        try (ChangeStream stream = source.openStream(start)) {
            for (String values : INSERTS) {
                db.sql("INSERT INTO " + Q + " (" + COLUMNS + ") VALUES " + values);
            }
            StreamCollector collector = new StreamCollector(stream);
            collector.until(e -> e instanceof ChangeEvent.Insert, INSERTS.length, Duration.ofSeconds(30));
            List<ChangeEvent.Relation> relations = collector.ofType(ChangeEvent.Relation.class);
            assertThat(relations).isNotEmpty();
            assertThat(relations.get(0).schema()).isEqualTo(schema);
            streamed = collector.ofType(ChangeEvent.Insert.class).stream().map(ChangeEvent.Insert::newRow).toList();
        }

        List<Row> copied = Collections.synchronizedList(new ArrayList<>());
        try (SnapshotSession snapshot = source.openSnapshot()) {
            snapshot.copy(schema, java.util.Set.of(), 1, java.util.List.of(), copied::addAll);
        }
        List<Row> expected = expectedRows();
        assertRowsEqual(streamed, expected);
        assertRowsEqual(sorted(copied), expected);
    }

    private static void assertRowsEqual(List<Row> actual, List<Row> expected) {
        assertThat(actual).hasSize(expected.size());
        for (int r = 0; r < expected.size(); r++) {
            for (int c = 0; c < expected.get(r).size(); c++) {
                Object a = actual.get(r).get(c);
                Object e = expected.get(r).get(c);
                assertThat(Arrays.deepEquals(new Object[] {a}, new Object[] {e}))
                        .as("row %d column %d: got %s (%s), expected %s (%s)", r + 1, c, show(a),
                                a == null ? null : a.getClass().getSimpleName(), show(e),
                                e == null ? null : e.getClass().getSimpleName())
                        .isTrue();
            }
        }
    }

    private static String show(Object o) {
        return o instanceof byte[] b ? Arrays.toString(b) : String.valueOf(o);
    }

    private static List<Row> sorted(List<Row> rows) {
        List<Row> copy = new ArrayList<>(rows);
        copy.sort(Comparator.comparingInt(r -> (Integer) r.get(0)));
        return copy;
    }

    private static List<Row> expectedRows() {
        List<Row> rows = new ArrayList<>();
        rows.add(Row.of(1, (short) -32768, 2147483647, Long.MIN_VALUE, 0.1f, 3.141592653589793,
                new BigDecimal("123456789.125"), new BigDecimal("123456789012345678901234567890.123456789"),
                "h\u00e9llo \"w\u00f6rld\"\ttab\nnewline\\back \u65e5\u672c", "v", "ab   ",
                new byte[] {0, (byte) 0xff, 0x5c, 0x0a, 0x09}, true, LocalDate.of(2024, 2, 29),
                LocalTime.of(23, 59, 59, 999_999_000), LocalTime.of(10, 0),
                LocalDateTime.of(2024, 2, 29, 13, 14, 15, 123_456_000), Instant.parse("2024-02-29T12:14:15.5Z"),
                new PgInterval(14, 3, ((4 * 60 + 5) * 60 + 6) * 1_000_000L + 789_000),
                UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "{\"a\": [1, 2]}", "{\"a\": \"x\", \"b\": 1}",
                "happy", Arrays.asList(1, null, -3),
                Arrays.asList("a b", "q\"uote", null, "NULL", "back\\slash", "plain", "", "tab\there", "{br}", "com,ma")));
        rows.add(Row.of(2, (short) 0, 0, 0L, Float.NaN, Double.POSITIVE_INFINITY, SpecialValue.NAN,
                SpecialValue.NEGATIVE_INFINITY, "", "", "     ", new byte[0], false, SpecialValue.POSITIVE_INFINITY,
                LocalTime.of(23, 59, 59, 999_999_000), LocalTime.of(3, 30), SpecialValue.NEGATIVE_INFINITY,
                SpecialValue.POSITIVE_INFINITY, new PgInterval(-12, -2, 3 * 3_600_000_000L),
                new UUID(0, 0), "[]", "[]", "sad", List.of(), List.of()));
        rows.add(Row.of(3, (short) 32767, Integer.MIN_VALUE, Long.MAX_VALUE, Float.NEGATIVE_INFINITY, Double.NaN,
                new BigDecimal("-0.001"), new BigDecimal(HUGE), "x", "y", "abcde",
                new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef}, true, LocalDate.of(9999, 12, 31),
                LocalTime.MIDNIGHT, LocalTime.of(23, 59, 59), LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000),
                Instant.parse("0001-01-01T00:00:00Z"), new PgInterval(0, 0, -500_000),
                new UUID(-1L, -1L), "null", "\"s\"", "ok", List.of(List.of(1, 2), List.of(3, 4)), List.of("x", "y")));
        rows.add(Row.of(4, (short) 1, 1, 1L, 1.0f, -1e-300, new BigDecimal("0.000"), new BigDecimal("-1.50"), "z", "z",
                "z    ", new byte[] {0}, false, LocalDate.of(-4712, 1, 1), LocalTime.of(12, 34, 56),
                LocalTime.of(6, 49, 56, 500_000_000), LocalDateTime.of(0, 12, 31, 23, 59, 59),
                LocalDateTime.of(-43, 3, 15, 12, 0).toInstant(java.time.ZoneOffset.UTC), new PgInterval(0, 0, 0),
                UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "{}", "{}", "happy", List.of(-1),
                List.of("")));
        Object[] nulls = new Object[25];
        nulls[0] = 5;
        rows.add(Row.of(nulls));
        return rows;
    }
}
