package io.echodb.adapters.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.change.Lsn;
import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.DeleteMode;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.TableSettings;
import io.echodb.core.port.out.TargetLayout;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.PgInterval;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
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
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every neutral column type through {@code write()} into the real engine and back through {@code currentRows()} (FINAL),
 * including NULLs and the special values of docs/TYPE-MAPPING.md; what ClickHouse stored is also checked with plain SQL
 * through clickhouse-jdbc, independently of this adapter's decoder.
 */
class ClickHouseTypeMatrixTest {

    private static final ColumnType.Enum MOOD = new ColumnType.Enum("mood", List.of("sad", "ok", "happy"));
    private static final String TEXT = "quote ' double \" backslash \\ back`tick tab \t newline \n nul \u0000 emoji \uD83C\uDF89 ünïcödé";
    private static final UUID HIGH_UUID = UUID.fromString("f0e1d2c3-b4a5-9687-7869-5a4b3c2d1e0f");
    private static final BigDecimal DEC38 = new BigDecimal("1234567890123456789012345678.0123456789");
    private static final BigDecimal DEC76 = new BigDecimal("-" + "9".repeat(56) + "." + "1".repeat(20));
    private static final BigDecimal DEC100 = new BigDecimal("1" + "0".repeat(90) + ".12345");
    private static final BigDecimal NUM = new BigDecimal("-0.000000000000000000000000000000000000000000000001");

    private static final List<Column> COLUMNS = List.of(
            Column.of("id", ColumnType.INT64, false),
            Column.of("b", ColumnType.BOOL, true),
            Column.of("i16", ColumnType.INT16, true),
            Column.of("i32", ColumnType.INT32, true),
            Column.of("i64", ColumnType.INT64, true),
            Column.of("f32", ColumnType.FLOAT32, true),
            Column.of("f64", ColumnType.FLOAT64, true),
            Column.of("dec", new ColumnType.Decimal(10, 2), true),
            Column.of("dec38", new ColumnType.Decimal(38, 10), true),
            Column.of("dec76", new ColumnType.Decimal(76, 20), true),
            Column.of("dec100", new ColumnType.Decimal(100, 5), true),
            Column.of("num", ColumnType.NUMERIC, true),
            Column.of("txt", ColumnType.TEXT, true),
            Column.of("byt", ColumnType.BYTES, true),
            Column.of("d", ColumnType.DATE, true),
            Column.of("tm", ColumnType.TIME, true),
            Column.of("ts", ColumnType.TIMESTAMP, true),
            Column.of("tstz", ColumnType.TIMESTAMPTZ, true),
            Column.of("u", ColumnType.UUID, true),
            Column.of("j", ColumnType.JSON, true),
            Column.of("iv", ColumnType.INTERVAL, true),
            Column.of("en", MOOD, true),
            Column.of("arr_i", new ColumnType.ArrayOf(ColumnType.INT32), true),
            Column.of("arr_t", new ColumnType.ArrayOf(ColumnType.TEXT), true),
            Column.of("arr_arr", new ColumnType.ArrayOf(new ColumnType.ArrayOf(ColumnType.INT32)), true),
            Column.of("arr_dec", new ColumnType.ArrayOf(new ColumnType.Decimal(10, 2)), true),
            Column.of("arr_date", new ColumnType.ArrayOf(ColumnType.DATE), true),
            Column.of("arr_tstz", new ColumnType.ArrayOf(ColumnType.TIMESTAMPTZ), true),
            Column.of("arr_u", new ColumnType.ArrayOf(ColumnType.UUID), true),
            Column.of("arr_en", new ColumnType.ArrayOf(MOOD), true),
            Column.of("unk", new ColumnType.Unknown("point"), true),
            Column.of("b_nn", ColumnType.BOOL, false),
            Column.of("txt_nn", ColumnType.TEXT, false));

    private static final TableSchema SCHEMA = new TableSchema(TableRef.of("public", "matrix"), COLUMNS, List.of("id"),
            ReplicaIdentity.DEFAULT);

    private static ClickHouseTestDatabase db;
    private static ClickHouseChangeSink sink;
    /** Per id: what was written and what must come back. */
    private static final Map<Long, Object[][]> CASES = new LinkedHashMap<>();

    @BeforeAll
    static void writeTheMatrix() {
        db = ClickHouseTestDatabase.create("matrix");
        sink = new ClickHouseChangeSink(db.gateway);
        sink.ensureTable("matrix", SCHEMA);

        Map<String, Object> typical = values(1L);
        typical.putAll(Map.ofEntries(
                Map.entry("b", true), Map.entry("i16", (short) 12), Map.entry("i32", 1234), Map.entry("i64", 1234567890123L),
                Map.entry("f32", 1.5f), Map.entry("f64", -2.25d), Map.entry("dec", new BigDecimal("12.30")),
                Map.entry("dec38", DEC38), Map.entry("dec76", DEC76), Map.entry("dec100", DEC100), Map.entry("num", NUM),
                Map.entry("txt", TEXT), Map.entry("byt", new byte[] {0, 1, 2, (byte) 0xff}),
                Map.entry("d", LocalDate.of(2024, 2, 29)), Map.entry("tm", LocalTime.of(13, 14, 15, 123_456_000)),
                Map.entry("ts", LocalDateTime.of(2024, 2, 29, 23, 59, 58, 999_999_000)),
                Map.entry("tstz", Instant.parse("2024-03-01T00:00:00.000001Z")), Map.entry("u", HIGH_UUID),
                Map.entry("j", "{\"a\": [1, 2], \"b\": null}"), Map.entry("iv", new PgInterval(14, 3, 14_706_000_007L)),
                Map.entry("en", "happy"), Map.entry("arr_i", list(1, null, 3)), Map.entry("arr_t", list("a", null, "ç'\"")),
                Map.entry("arr_arr", list(list(1, 2), list(), list((Object) null))),
                Map.entry("arr_dec", list(new BigDecimal("1.50"), null)),
                Map.entry("arr_date", list(LocalDate.of(2000, 1, 1), null)),
                Map.entry("arr_tstz", list(Instant.parse("1999-12-31T23:59:59.999999Z"))),
                Map.entry("arr_u", list(HIGH_UUID, null)), Map.entry("arr_en", list("sad", null)),
                Map.entry("unk", "(1,2)"), Map.entry("b_nn", true), Map.entry("txt_nn", "x")));
        addCase(typical, new LinkedHashMap<>(typical));

        Map<String, Object> nulls = values(2L);
        nulls.put("b_nn", false);
        nulls.put("txt_nn", "");
        Map<String, Object> nullsBack = new LinkedHashMap<>(nulls);
        for (String array : List.of("arr_i", "arr_t", "arr_arr", "arr_dec", "arr_date", "arr_tstz", "arr_u", "arr_en")) {
            nullsBack.put(array, List.of()); // documented: arrays cannot be Nullable, a NULL array reads back as []
        }
        addCase(nulls, nullsBack);

        Map<String, Object> special = values(3L);
        special.putAll(Map.ofEntries(
                Map.entry("f32", Float.NaN), Map.entry("f64", Double.POSITIVE_INFINITY),
                Map.entry("dec", SpecialValue.NAN), Map.entry("dec38", SpecialValue.POSITIVE_INFINITY),
                Map.entry("dec76", SpecialValue.NEGATIVE_INFINITY), Map.entry("dec100", SpecialValue.NAN),
                Map.entry("num", SpecialValue.NEGATIVE_INFINITY),
                Map.entry("d", SpecialValue.POSITIVE_INFINITY), Map.entry("ts", SpecialValue.NEGATIVE_INFINITY),
                Map.entry("tstz", SpecialValue.POSITIVE_INFINITY),
                Map.entry("arr_dec", list(new BigDecimal("1.00"), SpecialValue.NAN, null)),
                Map.entry("arr_date", list(SpecialValue.POSITIVE_INFINITY, LocalDate.of(1500, 1, 1), null)),
                Map.entry("arr_tstz", list(SpecialValue.NEGATIVE_INFINITY)),
                Map.entry("b_nn", false), Map.entry("txt_nn", "")));
        Map<String, Object> specialBack = new LinkedHashMap<>(special);
        specialBack.putAll(Map.of(
                "dec", nothing(), "dec38", nothing(), "dec76", nothing(),
                "d", LocalDate.of(2299, 12, 31),
                "ts", LocalDateTime.of(1900, 1, 1, 0, 0),
                "tstz", Instant.parse("2299-12-31T23:59:59.999999Z"),
                "arr_dec", list(new BigDecimal("1.00"), null, null),
                "arr_date", list(LocalDate.of(2299, 12, 31), LocalDate.of(1900, 1, 1), null),
                "arr_tstz", list(Instant.parse("1900-01-01T00:00:00Z"))));
        fillNullArrays(specialBack);
        addCase(special, specialBack);

        Map<String, Object> extremes = values(4L);
        byte[] allBytes = new byte[256];
        for (int i = 0; i < 256; i++) {
            allBytes[i] = (byte) i;
        }
        extremes.putAll(Map.ofEntries(
                Map.entry("b", false), Map.entry("i16", Short.MIN_VALUE), Map.entry("i32", Integer.MAX_VALUE),
                Map.entry("i64", Long.MIN_VALUE), Map.entry("f32", Float.MIN_VALUE), Map.entry("f64", -Double.MAX_VALUE),
                Map.entry("dec", new BigDecimal("-99999999.99")), Map.entry("dec38", DEC38.negate()),
                Map.entry("byt", allBytes), Map.entry("d", LocalDate.of(1800, 1, 1)),
                Map.entry("tm", LocalTime.of(23, 59, 59, 999_999_000)),
                Map.entry("ts", LocalDateTime.of(2400, 6, 1, 12, 0)),
                Map.entry("tstz", Instant.parse("1899-12-31T23:59:59Z")),
                Map.entry("u", new UUID(0, 0)), Map.entry("iv", new PgInterval(-1, -2, -3_000_001L)),
                Map.entry("txt", ""), Map.entry("en", "sad"), Map.entry("num", SpecialValue.NAN),
                Map.entry("b_nn", true), Map.entry("txt_nn", TEXT)));
        Map<String, Object> extremesBack = new LinkedHashMap<>(extremes);
        extremesBack.putAll(Map.of(
                "d", LocalDate.of(1900, 1, 1),
                "ts", LocalDateTime.of(2299, 12, 31, 23, 59, 59, 999_999_000),
                "tstz", Instant.parse("1900-01-01T00:00:00Z")));
        fillNullArrays(extremesBack);
        addCase(extremes, extremesBack);

        List<SinkRow> rows = new ArrayList<>();
        CASES.values().forEach(c -> rows.add(new SinkRow(Row.of(c[0]), RowVersion.snapshot(Lsn.of(100)), false)));
        sink.write("matrix", SCHEMA, rows);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void everyValueComesBackThroughCurrentRows() {
        List<RowKey> keys = CASES.keySet().stream().map(RowKey::of).toList();

        Map<RowKey, Row> back = sink.currentRows("matrix", SCHEMA, keys);

        assertThat(back).hasSize(CASES.size());
        CASES.forEach((id, c) -> {
            Row row = back.get(RowKey.of(id));
            for (int i = 0; i < COLUMNS.size(); i++) {
                assertThat(normalize(row.get(i))).as("row " + id + " column " + COLUMNS.get(i).name())
                        .isEqualTo(normalize(c[1][i]));
            }
        });
    }

    /**
     * The sink does not read back a table it just created (one statement fewer per table in a burst): what it assumes
     * must be exactly what ClickHouse describes, for every mapped type, a multiset, renamed metadata columns and a
     * partitioned table with hard deletes.
     */
    @Test
    void aCreatedTableIsKnownExactlyAsClickHouseDescribesIt() {
        ClickHouseChangeSink fresh = new ClickHouseChangeSink(db.gateway);
        List<Column> clashing = new ArrayList<>(COLUMNS);
        clashing.add(Column.of(ClickHouseChangeSink.VERSION_COLUMN, ColumnType.INT32, true));
        TableSchema keyless = new TableSchema(TableRef.of("public", "bag"), COLUMNS, List.of(), ReplicaIdentity.FULL);
        Map<String, Runnable> creates = new LinkedHashMap<>();
        creates.put("created_keyed", () -> fresh.ensureTable("created_keyed", SCHEMA));
        creates.put("created_clash", () -> fresh.ensureTable("created_clash", new TableSchema(SCHEMA.table(), clashing,
                List.of("id"), ReplicaIdentity.DEFAULT)));
        creates.put("created_bag", () -> fresh.ensureTable("created_bag", keyless,
                TargetLayout.multiset(TableSettings.DEFAULTS, List.of("txt_nn"))));
        creates.put("created_parts", () -> fresh.ensureTable("created_parts", SCHEMA, new TargetLayout("intDiv(id, 1000)",
                DeleteMode.HARD, Duration.ofHours(1))));
        creates.forEach((target, create) -> {
            create.run();
            assertThat(fresh.known(target)).as(target).isNotNull().isEqualTo(fresh.described(target));
        });
    }

    @Test
    void targetColumnTypesFollowTheMapping() {
        Map<String, String> types = sink.describe("matrix");

        assertThat(types).containsEntry("id", "Int64").containsEntry("b", "Nullable(Bool)")
                .containsEntry("dec", "Nullable(Decimal(10, 2))").containsEntry("dec76", "Nullable(Decimal(76, 20))")
                .containsEntry("dec100", "Nullable(String)").containsEntry("num", "Nullable(String)")
                .containsEntry("d", "Nullable(Date32)").containsEntry("tm", "Nullable(String)")
                .containsEntry("ts", "Nullable(DateTime64(6, 'UTC'))").containsEntry("tstz", "Nullable(DateTime64(6, 'UTC'))")
                .containsEntry("u", "Nullable(UUID)").containsEntry("j", "Nullable(String)")
                .containsEntry("en", "LowCardinality(Nullable(String))").containsEntry("arr_i", "Array(Nullable(Int32))")
                .containsEntry("arr_arr", "Array(Array(Nullable(Int32)))")
                .containsEntry("arr_en", "Array(LowCardinality(Nullable(String)))")
                .containsEntry("b_nn", "Bool").containsEntry("txt_nn", "String")
                .containsEntry(ClickHouseChangeSink.VERSION_COLUMN, "UInt128")
                .containsEntry(ClickHouseChangeSink.DELETED_COLUMN, "UInt8")
                .containsEntry(ClickHouseChangeSink.SYNCED_AT_COLUMN, "DateTime64(3, 'UTC')");
    }

    @Test
    void clickHouseSeesTheValuesItselfAsDocumented() {
        assertThat(sql("toString(u)", 1)).isEqualTo(HIGH_UUID.toString());
        assertThat(sql("toString(dec38)", 1)).isEqualTo(DEC38.toPlainString());
        assertThat(sql("toString(dec76)", 1)).isEqualTo(DEC76.toPlainString());
        assertThat(sql("dec100", 1)).isEqualTo(DEC100.toPlainString());
        assertThat(sql("toString(d)", 1)).isEqualTo("2024-02-29");
        assertThat(sql("toString(ts, 'UTC')", 1)).isEqualTo("2024-02-29 23:59:58.999999");
        assertThat(sql("toString(tstz)", 1)).isEqualTo("2024-03-01 00:00:00.000001");
        assertThat(sql("tm", 1)).isEqualTo("13:14:15.123456");
        assertThat(sql("iv", 1)).isEqualTo("P1Y2M3DT4H5M6.000007S");
        assertThat(sql("toString(arr_i)", 1)).isEqualTo("[1,NULL,3]");
        assertThat(sql("txt = " + ClickHouseSql.literal(TEXT), 1)).isIn("1", "true");
        assertThat(sql("hex(byt)", 4)).isEqualTo(HexFormat.of().withUpperCase().formatHex(
                (byte[]) CASES.get(4L)[0][COLUMNS.indexOf(column("byt"))]));

        assertThat(sql("length(arr_t)", 2)).isEqualTo("0");
        assertThat(sql("isNull(txt)", 2)).isIn("1", "true");

        assertThat(sql("isNaN(f32)", 3)).isIn("1", "true");
        assertThat(sql("toString(f64)", 3)).isEqualTo("inf");
        assertThat(sql("isNull(dec)", 3)).isIn("1", "true");
        assertThat(sql("dec100", 3)).isEqualTo("NaN");
        assertThat(sql("num", 3)).isEqualTo("-Infinity");
        assertThat(sql("toString(d)", 3)).isEqualTo("2299-12-31");
        assertThat(sql("toString(ts, 'UTC')", 3)).isEqualTo("1900-01-01 00:00:00.000000");
        assertThat(sql("toString(tstz)", 3)).isEqualTo("2299-12-31 23:59:59.999999");
        assertThat(sql("toString(arr_date)", 3)).isEqualTo("['2299-12-31','1900-01-01',NULL]");

        assertThat(sql("toString(d)", 4)).isEqualTo("1900-01-01");
        assertThat(sql("toString(i64)", 4)).isEqualTo(String.valueOf(Long.MIN_VALUE));
    }

    @Test
    void theJsonFlagStoresJsonAsClickHouseJson() {
        try (ClickHouseGateway g = new ClickHouseGateway(db.settings().withJsonType(true))) {
            ClickHouseChangeSink jsonSink = new ClickHouseChangeSink(g);
            TableSchema s = new TableSchema(TableRef.of("public", "docs"),
                    List.of(Column.of("id", ColumnType.INT32, false), Column.of("doc", ColumnType.JSON, true)),
                    List.of("id"), ReplicaIdentity.DEFAULT);
            jsonSink.ensureTable("docs", s);
            jsonSink.write("docs", s, List.of(
                    new SinkRow(Row.of(1, "{\"name\": \"ada\", \"n\": 3}"), RowVersion.snapshot(Lsn.of(1)), false),
                    new SinkRow(Row.of(2, null), RowVersion.snapshot(Lsn.of(1)), false)));

            assertThat(jsonSink.describe("docs")).containsEntry("doc", "Nullable(JSON)");
            assertThat(db.value("SELECT doc.name FROM `docs` FINAL WHERE id = 1")).isEqualTo("ada");
            Map<RowKey, Row> back = jsonSink.currentRows("docs", s, List.of(RowKey.of(1), RowKey.of(2)));
            assertThat((String) back.get(RowKey.of(1)).get(1)).contains("\"name\"", "\"ada\"", "\"n\"", "3");
            assertThat(back.get(RowKey.of(2)).get(1)).isNull();
        }
    }

    private static String sql(String expression, long id) {
        return db.value("SELECT " + expression + " FROM `matrix` FINAL WHERE id = " + id);
    }

    private static Map<String, Object> values(long id) {
        Map<String, Object> v = new LinkedHashMap<>();
        COLUMNS.forEach(c -> v.put(c.name(), null));
        v.put("id", id);
        return v;
    }

    private static void fillNullArrays(Map<String, Object> back) {
        back.replaceAll((k, v) -> v == null && k.startsWith("arr_") ? List.of() : v);
    }

    private static void addCase(Map<String, Object> in, Map<String, Object> back) {
        fillNullArrays(back);
        back.replaceAll((k, v) -> v == NOTHING ? null : v);
        CASES.put((Long) in.get("id"), new Object[][] {in.values().toArray(), back.values().toArray()});
    }

    private static final Object NOTHING = new Object();

    /** Map.of cannot hold null: marks an expected NULL. */
    private static Object nothing() {
        return NOTHING;
    }

    private static List<Object> list(Object... values) {
        return Arrays.asList(values);
    }

    private static Column column(String name) {
        return SCHEMA.column(name).orElseThrow();
    }

    /** byte[] compared by content. */
    private static Object normalize(Object v) {
        return v instanceof byte[] b ? HexFormat.of().formatHex(b) : v;
    }
}
