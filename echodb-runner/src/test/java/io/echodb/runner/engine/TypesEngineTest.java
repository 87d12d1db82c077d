package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The type matrix of the issue end to end: every type, with ordinary, extreme and special values and NULL, written
 * once before the mirror exists (copied by the snapshot) and once after (streamed), read back from ClickHouse and
 * compared with what docs/TYPE-MAPPING.md promises — column types, clamping of out-of-range dates and timestamps,
 * NaN/Infinity rules, NULL arrays. Then identifiers that need quoting everywhere.
 */
class TypesEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String NULL = null;
    private static final String QUIRKY_TEXT = "quote ' double \" backslash \\ back`tick tab \t newline \n emoji 🎉 ünïcödé";
    private static final String ALL_BYTES;

    static {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 256; i++) {
            sb.append(String.format("%02X", i));
        }
        ALL_BYTES = sb.toString();
    }

    /**
     * One column: its PostgreSQL type, the ClickHouse type the mapping gives it, the ClickHouse expression the value is
     * read through, then for each row the SQL literal inserted and the text expected back (null = NULL).
     */
    private record Col(String name, String pgType, String chType, String chExpr, String[] literals, String[] expected) {
    }

    /** Rows: 1 typical, 2 special values, 3 lower extremes, 4 NULL everywhere, 5 upper extremes, 6 more specials. */
    private static final int ROWS = 6;
    private static final List<Col> COLUMNS = new ArrayList<>();

    private static void col(String name, String pgType, String chType, String chExpr, String... literalThenExpected) {
        assertThat(literalThenExpected).hasSize(2 * ROWS);
        String[] literals = new String[ROWS];
        String[] expected = new String[ROWS];
        for (int r = 0; r < ROWS; r++) {
            literals[r] = literalThenExpected[2 * r];
            expected[r] = literalThenExpected[2 * r + 1];
        }
        COLUMNS.add(new Col(name, pgType, chType, chExpr.replace("$", E2eEnv.chIdent(name)), literals, expected));
    }

    static {
        col("i16", "smallint", "Nullable(Int16)", "toString($)",
                "12", "12", "-32768", "-32768", "32767", "32767", "NULL", NULL, "0", "0", "-1", "-1");
        col("i32", "integer", "Nullable(Int32)", "toString($)",
                "-1234", "-1234", "2147483647", "2147483647", "-2147483648", "-2147483648", "NULL", NULL, "0", "0", "7", "7");
        col("i64", "bigint", "Nullable(Int64)", "toString($)",
                "1234567890123", "1234567890123", "9223372036854775807", "9223372036854775807",
                "-9223372036854775808", "-9223372036854775808", "NULL", NULL, "0", "0", "-1", "-1");
        col("f32", "real", "Nullable(Float32)", "toString($)",
                "1.5", "1.5", "'NaN'", "nan", "'-Infinity'", "-inf", "NULL", NULL, "'Infinity'", "inf", "-0.25", "-0.25");
        col("f64", "double precision", "Nullable(Float64)", "toString($)",
                "-2.25", "-2.25", "'Infinity'", "inf", "'NaN'", "nan", "NULL", NULL, "'-Infinity'", "-inf",
                "1e300", "1e300");
        // numeric(p,s): Decimal, always Nullable; NaN has no Decimal form and is stored as NULL
        col("dec", "numeric(10,2)", "Nullable(Decimal(10, 2))", "toString($)",
                "12.30", "12.3", "'NaN'", NULL, "-99999999.99", "-99999999.99", "NULL", NULL, "99999999.99", "99999999.99",
                "0", "0");
        col("dec38", "numeric(38,10)", "Nullable(Decimal(38, 10))", "toString($)",
                "1234567890123456789012345678.0123456789", "1234567890123456789012345678.0123456789",
                "'NaN'", NULL, "-9999999999999999999999999999.9999999999", "-9999999999999999999999999999.9999999999",
                "NULL", NULL, "0.0000000001", "0.0000000001", "-1", "-1");
        // unbounded numeric: lossless decimal text; NaN and ±Infinity spelled out
        col("num", "numeric", "Nullable(String)", "$",
                "3.14159265358979323846264338327950288419716939937510", "3.14159265358979323846264338327950288419716939937510",
                "'NaN'", "NaN", "'-Infinity'", "-Infinity", "NULL", NULL,
                "123456789012345678901234567890123456789012345678901234567890.5",
                "123456789012345678901234567890123456789012345678901234567890.5",
                "'Infinity'", "Infinity");
        col("txt", "text", "Nullable(String)", "$",
                E2eEnv.pgLiteral(QUIRKY_TEXT), QUIRKY_TEXT, "''", "", "repeat('x', 5000)", "x".repeat(5000), "NULL", NULL,
                "E'tab\\tnew\\nline'", "tab\tnew\nline", "'NULL'", "NULL");
        col("vc", "varchar(20)", "Nullable(String)", "$",
                "'hello'", "hello", "''", "", "'ünïcödé'", "ünïcödé", "NULL", NULL, "'12345678901234567890'",
                "12345678901234567890", "' padded '", " padded ");
        col("chr", "char(5)", "Nullable(String)", "$",
                "'ab'", "ab   ", "''", "     ", "'abcde'", "abcde", "NULL", NULL, "'ü'", "ü    ", "' x'", " x   ");
        col("byt", "bytea", "Nullable(String)", "hex($)",
                "'\\x0001ff'", "0001FF", "'\\x'", "", "decode('" + ALL_BYTES + "', 'hex')", ALL_BYTES, "NULL", NULL,
                "'abc'", "616263", "'\\x00'", "00");
        col("b", "boolean", "Nullable(Bool)", "toString($)",
                "true", "true", "false", "false", "true", "true", "NULL", NULL, "false", "false", "true", "true");
        // dates: Date32 holds 1900-01-01 .. 2299-12-31; infinities and values outside map to the nearest bound
        col("d", "date", "Nullable(Date32)", "toString($)",
                "'2024-02-29'", "2024-02-29", "'infinity'", "2299-12-31", "'0001-01-01'", "1900-01-01", "NULL", NULL,
                "'9999-12-31'", "2299-12-31", "'-infinity'", "1900-01-01");
        col("tm", "time", "Nullable(String)", "$",
                "'13:14:15.123456'", "13:14:15.123456", "'00:00:00'", "00:00:00.000000", "'00:00:00.000001'",
                "00:00:00.000001", "NULL", NULL, "'23:59:59.999999'", "23:59:59.999999",
                "'24:00:00'", "23:59:59.999999");
        col("ts", "timestamp", "Nullable(DateTime64(6, 'UTC'))", "toString($)",
                "'2024-02-29 23:59:58.999999'", "2024-02-29 23:59:58.999999", "'-infinity'", "1900-01-01 00:00:00.000000",
                "'0001-01-01 00:00:00'", "1900-01-01 00:00:00.000000", "NULL", NULL,
                "'9999-12-31 23:59:59.999999'", "2299-12-31 23:59:59.999999", "'infinity'", "2299-12-31 23:59:59.999999");
        col("tstz", "timestamptz", "Nullable(DateTime64(6, 'UTC'))", "toString($)",
                "'2024-03-01 01:00:00.000001+01'", "2024-03-01 00:00:00.000001", "'infinity'", "2299-12-31 23:59:59.999999",
                "'0001-01-01 00:00:00+00'", "1900-01-01 00:00:00.000000", "NULL", NULL,
                "'9999-12-31 23:59:59.999999+00'", "2299-12-31 23:59:59.999999", "'-infinity'", "1900-01-01 00:00:00.000000");
        col("iv", "interval", "Nullable(String)", "$",
                "'1 year 2 mons 3 days 04:05:06.000007'", "P1Y2M3DT4H5M6.000007S", "'0'", "PT0S",
                "'-1 mons -2 days -00:00:03.000001'", "P-1M-2DT-3.000001S", "NULL", NULL, "'100 years'", "P100Y",
                "'36 hours'", "PT36H");
        col("u", "uuid", "Nullable(UUID)", "toString($)",
                "'f0e1d2c3-b4a5-9687-7869-5a4b3c2d1e0f'", "f0e1d2c3-b4a5-9687-7869-5a4b3c2d1e0f",
                "'00000000-0000-0000-0000-000000000000'", "00000000-0000-0000-0000-000000000000",
                "'ffffffff-ffff-ffff-ffff-ffffffffffff'", "ffffffff-ffff-ffff-ffff-ffffffffffff", "NULL", NULL,
                "'123e4567-e89b-12d3-a456-426614174000'", "123e4567-e89b-12d3-a456-426614174000",
                "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        col("j", "json", "Nullable(String)", "$",
                "'{\"a\": [1, 2], \"b\": null}'", "{\"a\": [1, 2], \"b\": null}", "'[]'", "[]", "'\"str\"'", "\"str\"",
                "NULL", NULL, "'null'", "null", "'{\"ü\": \"\\u00fc\"}'", "{\"ü\": \"\\u00fc\"}");
        col("jb", "jsonb", "Nullable(String)", "$",
                "'{\"b\": 1, \"a\": \"x\"}'", "{\"a\": \"x\", \"b\": 1}", "'{}'", "{}", "'[1, \"two\", null]'",
                "[1, \"two\", null]", "NULL", NULL, "'1.50'", "1.50", "'{\"nested\": {\"k\": [true]}}'",
                "{\"nested\": {\"k\": [true]}}");
        col("en", "mood", "LowCardinality(Nullable(String))", "toString($)",
                "'happy'", "happy", "'sad'", "sad", "'ok'", "ok", "NULL", NULL, "'happy'", "happy", "'so-so ☺'", "so-so ☺");
        // arrays cannot be Nullable in ClickHouse: a NULL array is stored as []; NULL elements are kept
        col("ai", "integer[]", "Array(Nullable(Int32))", "toString($)",
                "'{1,NULL,3}'", "[1,NULL,3]", "'{}'", "[]", "'{-2147483648,2147483647}'", "[-2147483648,2147483647]",
                "NULL", "[]", "'{NULL}'", "[NULL]", "'{7}'", "[7]");
        col("at", "text[]", "Array(Nullable(String))", "arrayStringConcat(arrayMap(x -> ifNull(x, '<null>'), $), '|')",
                "'{\"a\",NULL,\"x y\",\"q\\\"d\"}'", "a|<null>|x y|q\"d", "'{}'", "", "'{\"\"}'", "",
                "NULL", "", "ARRAY['NULL', NULL]::text[]", "NULL|<null>", "'{ü,\"{}\"}'", "ü|{}");
        col("nn", "text NOT NULL", "String", "$",
                "'x'", "x", "''", "", "'y'", "y", "''", "", "'z'", "z", "'w'", "w");
    }

    private static E2eEnv env;
    private static Rig rig;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("engine_types");
        rig = env.rig().start();
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    @Test
    void everyTypeIsMirroredAsDocumentedBySnapshotAndByStream() {
        StringBuilder ddl = new StringBuilder("CREATE TABLE matrix (id int PRIMARY KEY");
        COLUMNS.forEach(c -> ddl.append(", ").append(c.name()).append(' ').append(c.pgType()));
        ddl.append(')');
        env.sql("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'so-so ☺')", ddl.toString());
        insertRows(0); // ids 1..6: there before the mirror, so the snapshot copies them

        TableRef matrix = E2eEnv.table("matrix");
        MirrorSpec spec = E2eEnv.spec(matrix);
        rig.engine.create(spec);
        E2eEnv.awaitState(rig.engine, spec.name(), MirrorState.RUNNING, WAIT);
        insertRows(100); // ids 101..106: streamed
        Poll.until(WAIT, "all rows in ClickHouse",
                () -> env.chLong("SELECT count() FROM " + env.chTable("matrix") + " FINAL") == 2 * ROWS);

        Map<String, String> types = env.chColumnTypes("matrix");
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(types.get("id")).isEqualTo("Int32");
        for (Col c : COLUMNS) {
            soft.assertThat(types.get(c.name())).as("ClickHouse type of " + c.name() + " " + c.pgType()).isEqualTo(c.chType());
        }
        for (int offset : new int[] {0, 100}) {
            String path = offset == 0 ? "snapshot" : "stream";
            for (int r = 0; r < ROWS; r++) {
                int id = offset + r + 1;
                List<String> back = readRow(id);
                for (int i = 0; i < COLUMNS.size(); i++) {
                    Col c = COLUMNS.get(i);
                    soft.assertThat(back.get(i)).as("%s row %d column %s (%s) inserted as %s", path, id, c.name(),
                            c.pgType(), c.literals()[r]).isEqualTo(c.expected()[r]);
                }
            }
        }
        soft.assertAll();
        assertThat(rig.engine.status(spec.name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
    }

    @Test
    void identifiersThatNeedQuotingEverywhere() {
        String schema = "Sales \"Dept\" ü";
        String table = "Order \"Line\" `select` ✓";
        TableRef ref = TableRef.of(schema, table);
        String q = E2eEnv.pgTable(ref);
        env.sql("CREATE SCHEMA " + E2eEnv.pgIdent(schema),
                "CREATE TABLE " + q + " (\"Select\" int PRIMARY KEY, \"from\" text, \"Column With Space\" int,"
                        + " \"ÜñÎçødé ☃\" text, \"a\"\"b`c\\d\" text, \"group\" int, \"UPPER\" text, \"order\" numeric(6,2))",
                "INSERT INTO " + q + " SELECT g, 'from ' || g, g * 2, 'ü' || g, 'q\"`\\' || g, g % 3, upper('u' || g),"
                        + " g / 4.0 FROM generate_series(1, 50) g");
        MirrorSpec spec = new MirrorSpec(MirrorName.forTable(ref, true), ref, table);
        rig.engine.create(spec);
        E2eEnv.awaitState(rig.engine, spec.name(), MirrorState.RUNNING, WAIT);
        env.awaitMirrored(ref, table, WAIT);

        env.sql("INSERT INTO " + q + " VALUES (100, 'streamed', 1, '☃', '\"`\\', 1, 'X', 1.5)",
                "UPDATE " + q + " SET \"from\" = 'updated', \"Select\" = \"Select\" + 1000 WHERE \"Select\" <= 5",
                "DELETE FROM " + q + " WHERE \"group\" = 0",
                "ALTER TABLE " + q + " ADD COLUMN \"New \"\"Col\"\" ñ\" bigint",
                "INSERT INTO " + q + " (\"Select\", \"New \"\"Col\"\" ñ\") VALUES (200, 42)",
                "UPDATE " + q + " SET \"New \"\"Col\"\" ñ\" = 7 WHERE \"Select\" = 100");
        env.awaitMirrored(ref, table, WAIT);

        assertThat(env.chTableExists(table)).isTrue();
        assertThat(env.chColumnTypes(table)).containsKeys("Select", "from", "Column With Space", "ÜñÎçødé ☃",
                "a\"b`c\\d", "group", "UPPER", "order", "New \"Col\" ñ");
        assertThat(env.chString("SELECT toString(" + E2eEnv.chIdent("New \"Col\" ñ") + ") FROM " + env.chTable(table)
                + " FINAL WHERE `Select` = 200")).isEqualTo("42");
        assertThat(rig.engine.status(spec.name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
    }

    /**
     * Numbers beyond a long's range in key columns and array elements, by snapshot and by stream: a fast path once
     * accumulated 19 digits in a long, so 9999999999999999999 arrived as -8446744073709551617. The key is (phase, k, kd):
     * an unbounded numeric (String in ClickHouse) and a numeric(20,0) (Decimal, a non-Nullable sorting-key column), so
     * the same numbers are keys in the copied rows (phase 0) and in the streamed ones (phase 1). The stream then updates,
     * re-keys and deletes copied rows, which sends the old keys as key tuples.
     */
    @Test
    void numbersBeyondTheLongRangeAsKeysAndArrayElementsBySnapshotAndByStream() {
        String[][] rows = {
            // k, kd, d numeric(21,1), a numeric[], da numeric(20,0)[], i8 bigint (SQL literals)
            {"9999999999999999999", "9999999999999999999", "12345678901234567890.5",
                "'{9999999999999999999,-9999999999999999999,NULL}'", "'{9999999999999999999,NULL}'", "9223372036854775807"},
            {"-9999999999999999999", "-9999999999999999999", "-12345678901234567890.5",
                "'{9223372036854775808,-9223372036854775809}'", "'{-9999999999999999999}'", "-9223372036854775808"},
            {"9223372036854775808", "9223372036854775808", "9999999999999999999.0",
                "'{9223372036854775807,-9223372036854775808}'", "'{9223372036854775808,-9223372036854775809}'", "0"},
            {"-9223372036854775809", "-9223372036854775809", "-9223372036854775808.5",
                "'{99999999999999999999,12345678901234567890.5}'", "'{99999999999999999999}'", "NULL"},
            {"12345678901234567890.5", "99999999999999999999", "NULL", "'{}'", "'{}'", "-1"},
            {"9223372036854775807", "-9223372036854775808", "999999999999999999.9",
                "'{-9999999999999999999.5,0.9999999999999999999}'", "NULL", "1"},
        };
        // as read back: toString of the phase, k, kd, d (Decimal drops trailing zeros), a joined by '|', da, i8
        List<String> copied = List.of(
                row("0", "9999999999999999999", "9999999999999999999", "12345678901234567890.5",
                        "9999999999999999999|-9999999999999999999|<null>", "[9999999999999999999,NULL]", "9223372036854775807"),
                row("0", "-9999999999999999999", "-9999999999999999999", "-12345678901234567890.5",
                        "9223372036854775808|-9223372036854775809", "[-9999999999999999999]", "-9223372036854775808"),
                row("0", "9223372036854775808", "9223372036854775808", "9999999999999999999",
                        "9223372036854775807|-9223372036854775808", "[9223372036854775808,-9223372036854775809]", "0"),
                row("0", "-9223372036854775809", "-9223372036854775809", "-9223372036854775808.5",
                        "99999999999999999999|12345678901234567890.5", "[99999999999999999999]", null),
                row("0", "12345678901234567890.5", "99999999999999999999", null, "", "[]", "-1"),
                row("0", "9223372036854775807", "-9223372036854775808", "999999999999999999.9",
                        "-9999999999999999999.5|0.9999999999999999999", "[]", "1"));

        env.sql("CREATE TABLE bignum (phase smallint, k numeric, kd numeric(20,0), d numeric(21,1), a numeric[],"
                + " da numeric(20,0)[], i8 bigint, PRIMARY KEY (phase, k, kd))");
        env.tx(bignumInserts(0, rows));
        TableRef bignum = E2eEnv.table("bignum");
        MirrorSpec spec = E2eEnv.spec(bignum);
        rig.engine.create(spec);
        E2eEnv.awaitState(rig.engine, spec.name(), MirrorState.RUNNING, WAIT);
        awaitBignum("the copied rows", copied);
        assertThat(env.chColumnTypes("bignum")).containsEntry("k", "String").containsEntry("kd", "Decimal(20, 0)")
                .containsEntry("d", "Nullable(Decimal(21, 1))").containsEntry("a", "Array(Nullable(String))")
                .containsEntry("da", "Array(Nullable(Decimal(20, 0)))").containsEntry("i8", "Nullable(Int64)");

        List<String> statements = new ArrayList<>(List.of(bignumInserts(1, rows)));
        statements.add("UPDATE bignum SET d = 9999999999999999999.9, a = '{9999999999999999999,-9223372036854775809}'"
                + " WHERE phase = 0 AND k = 9999999999999999999");
        statements.add("UPDATE bignum SET k = -k, kd = -kd WHERE phase = 0 AND k = 9223372036854775808");
        statements.add("DELETE FROM bignum WHERE phase = 0 AND k = -9999999999999999999");
        env.tx(statements.toArray(String[]::new));
        List<String> expected = new ArrayList<>();
        expected.add(row("0", "9999999999999999999", "9999999999999999999", "9999999999999999999.9",
                "9999999999999999999|-9223372036854775809", "[9999999999999999999,NULL]", "9223372036854775807"));
        expected.add(row("0", "-9223372036854775808", "-9223372036854775808", "9999999999999999999",
                "9223372036854775807|-9223372036854775808", "[9223372036854775808,-9223372036854775809]", "0"));
        expected.addAll(copied.subList(3, 6));
        copied.forEach(r -> expected.add("1" + r.substring(1))); // the same rows again, streamed
        awaitBignum("the streamed rows and changes", expected);
        assertThat(rig.engine.status(spec.name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
    }

    private static String[] bignumInserts(int phase, String[][] rows) {
        String[] out = new String[rows.length];
        for (int r = 0; r < rows.length; r++) {
            out[r] = "INSERT INTO bignum (phase, k, kd, d, a, da, i8) VALUES (" + phase + ", " + String.join(", ", rows[r]) + ")";
        }
        return out;
    }

    private static String row(String... values) {
        return String.join(" ; ", java.util.Arrays.stream(values).map(v -> v == null ? "NULL" : v).toList());
    }

    private static void awaitBignum(String what, List<String> expected) {
        List<String> want = expected.stream().sorted().toList();
        String sql = "SELECT toString(phase), k, toString(kd), toString(d),"
                + " arrayStringConcat(arrayMap(x -> ifNull(x, '<null>'), a), '|'), toString(da), toString(i8)"
                + " FROM " + env.chTable("bignum") + " FINAL";
        List<String> last = List.of();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                last = env.chRows(sql).stream().map(r -> row(r.toArray(String[]::new))).sorted().toList();
                if (last.equals(want)) {
                    return;
                }
            } catch (IllegalStateException e) {
                // the target table may not exist yet
            }
            Poll.pause(200);
        }
        assertThat(last).as("ClickHouse bignum FINAL: " + what).containsExactlyElementsOf(want);
    }

    private static void insertRows(int idOffset) {
        List<String> inserts = new ArrayList<>();
        for (int r = 0; r < ROWS; r++) {
            StringBuilder sb = new StringBuilder("INSERT INTO matrix (id");
            COLUMNS.forEach(c -> sb.append(", ").append(c.name()));
            sb.append(") VALUES (").append(idOffset + r + 1);
            for (Col c : COLUMNS) {
                sb.append(", ").append(c.literals()[r]);
            }
            sb.append(')');
            inserts.add(sb.toString());
        }
        env.tx(inserts.toArray(String[]::new));
    }

    private static List<String> readRow(int id) {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < COLUMNS.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(COLUMNS.get(i).chExpr());
        }
        sql.append(" FROM ").append(env.chTable("matrix")).append(" FINAL WHERE id = ").append(id);
        List<List<String>> rows = env.chRows(sql.toString());
        assertThat(rows).as("row " + id).hasSize(1);
        return rows.get(0);
    }
}
