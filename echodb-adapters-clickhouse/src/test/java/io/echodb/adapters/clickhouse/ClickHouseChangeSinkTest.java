package io.echodb.adapters.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.change.Lsn;
import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.FencedOutException;
import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.port.out.SinkUnavailableException;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.SpecialValue;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.schema.UnchangedToast;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link ClickHouseChangeSink} against the real engine; every test works on tables of its own. */
class ClickHouseChangeSinkTest {

    private static final AtomicInteger NAMES = new AtomicInteger();

    private static ClickHouseTestDatabase db;
    private static ClickHouseChangeSink sink;

    @BeforeAll
    static void open() {
        db = ClickHouseTestDatabase.create("sink");
        sink = new ClickHouseChangeSink(db.gateway);
    }

    @AfterAll
    static void close() {
        db.close();
    }

    // ---- versions ----------------------------------------------------------------------------------------------------

    @Test
    void theHighestVersionWinsWhateverTheInsertOrder() {
        String t = name("versions");
        TableSchema s = keyValue(t);
        sink.ensureTable(t, s);

        sink.write(t, s, List.of(row(1, "newest", 20, 1), row(2, "only", 10, 1)));
        sink.write(t, s, List.of(row(1, "older", 10, 5), row(1, "oldest", 10, 0)));

        assertThat(values(t, s, 1, 2)).containsEntry(1L, "newest").containsEntry(2L, "only");
        assertThat(db.count(t)).isEqualTo(2);
    }

    @Test
    void ordinalsBeyondSixtyFiveThousandAndLsnsWithTheTopBitSetOrderAsUnsigned() {
        String t = name("uint128");
        TableSchema s = keyValue(t);
        sink.ensureTable(t, s);
        long bigLsn = 0x8000_0000_0000_0001L; // negative as a Java long, the larger LSN unsigned

        sink.write(t, s, List.of(
                row(1, "ordinal 70000", 500, 70_000), row(1, "ordinal 65537", 500, 65_537),
                row(2, "top-bit lsn", bigLsn, 0), row(2, "max signed lsn", Long.MAX_VALUE, Long.MAX_VALUE),
                row(3, "max ordinal", 7, -1L >>> 1), row(3, "ordinal 1", 7, 1)));

        assertThat(values(t, s, 1, 2, 3)).containsEntry(1L, "ordinal 70000").containsEntry(2L, "top-bit lsn")
                .containsEntry(3L, "max ordinal");
        assertThat(db.value("SELECT toString(" + ClickHouseChangeSink.VERSION_COLUMN + ") FROM " + quoted(t)
                + " FINAL WHERE id = 2")).isEqualTo(new RowVersion(bigLsn, 0).toUnsigned128().toString());
    }

    @Test
    void deleteMarkersHideRowsUntilANewerVersionRevivesThem() {
        String t = name("deletes");
        TableSchema s = keyValue(t);
        sink.ensureTable(t, s);
        sink.write(t, s, List.of(row(1, "a", 10, 1), row(2, "b", 10, 2), row(3, "c", 10, 3)));

        sink.write(t, s, List.of(deleted(1, 11, 1), deleted(2, 9, 1))); // the second is older than the row: no effect
        assertThat(values(t, s, 1, 2, 3)).containsOnlyKeys(2L, 3L);
        assertThat(db.count(t)).isEqualTo(2);

        sink.write(t, s, List.of(row(1, "again", 12, 1)));
        assertThat(values(t, s, 1, 2, 3)).containsEntry(1L, "again").hasSize(3);
    }

    @Test
    void aColumnKeptInAnOlderTypeIsStorableButNotCanonical() {
        String t = name("drifted");
        TableSchema asText = new TableSchema(TableRef.of("public", t), List.of(Column.of("id", ColumnType.INT64, false),
                Column.of("at", ColumnType.TEXT, true)), List.of("id"), ReplicaIdentity.DEFAULT);
        TableSchema asTimestamp = new TableSchema(TableRef.of("public", t), List.of(Column.of("id", ColumnType.INT64, false),
                Column.of("at", ColumnType.TIMESTAMPTZ, true)), List.of("id"), ReplicaIdentity.DEFAULT);
        sink.ensureTable(t, asText);
        assertThat(sink.isCanonicalFor(t, asText)).isTrue();

        assertThat(sink.ensureTable(t, asTimestamp)).as("a String column holds timestamps").isInstanceOf(SchemaSync.Unchanged.class);
        assertThat(sink.isCanonicalFor(t, asTimestamp)).as("but a fresh table would have DateTime64").isFalse();

        sink.drop(t);
        sink.ensureTable(t, asTimestamp);
        assertThat(sink.isCanonicalFor(t, asTimestamp)).isTrue();
    }

    @Test
    void aDeleteMarkerNeedsOnlyTheKeyEvenForNotNullColumns() {
        String t = name("marker");
        TableSchema s = new TableSchema(TableRef.of("public", t), List.of(
                Column.of("id", ColumnType.INT64, false), Column.of("n", ColumnType.INT32, false),
                Column.of("d", ColumnType.DATE, false), Column.of("u", ColumnType.UUID, false)), List.of("id"),
                ReplicaIdentity.DEFAULT);
        sink.ensureTable(t, s);
        sink.write(t, s, List.of(new SinkRow(Row.of(1L, 5, LocalDate.of(2020, 1, 1), UUID.randomUUID()),
                RowVersion.snapshot(Lsn.of(1)), false)));

        sink.write(t, s, List.of(new SinkRow(Row.of(1L, null, null, null), RowVersion.change(Lsn.of(2), 1), true)));

        assertThat(db.count(t)).isZero();
    }

    @Test
    void aKeyDateOutsideClickHousesRangeIsRefusedNotClampedIntoAnotherKey() {
        String t = name("clamped_key");
        TableSchema s = new TableSchema(TableRef.of("public", t), List.of(
                Column.of("d", ColumnType.DATE, false), Column.of("other", ColumnType.DATE, true)), List.of("d"),
                ReplicaIdentity.DEFAULT);
        sink.ensureTable(t, s);
        // outside the range in a non-key column: clamped, as documented
        sink.write(t, s, List.of(new SinkRow(Row.of(LocalDate.of(2000, 1, 1), LocalDate.of(1850, 1, 1)),
                RowVersion.snapshot(Lsn.of(1)), false)));
        assertThat(db.count(t)).isEqualTo(1);

        for (Object key : List.of(LocalDate.of(1850, 1, 1), LocalDate.of(2400, 1, 1),
                io.echodb.core.schema.SpecialValue.POSITIVE_INFINITY)) {
            assertThatThrownBy(() -> sink.write(t, s, List.of(new SinkRow(Row.of(key, null),
                    RowVersion.snapshot(Lsn.of(2)), false))))
                    .as("key " + key).isInstanceOf(ClickHouseRejectedException.class).hasMessageContaining("would be clamped");
        }
        assertThat(db.count(t)).isEqualTo(1);
    }

    // ---- identifiers -------------------------------------------------------------------------------------------------

    @Test
    void namesNeedingQuotesWorkEverywhere() {
        namesNeedingQuotesWorkEverywhere(sink);
    }

    @Test
    void namesNeedingQuotesWorkEverywhereInAFencedSink() {
        // its rows travel through input('structure'): the names are quoted inside a string literal there
        namesNeedingQuotesWorkEverywhere(sink.fencedBy("names:" + NAMES.incrementAndGet(), 1));
    }

    private static void namesNeedingQuotesWorkEverywhere(ClickHouseChangeSink sink) {
        String t = "Weird `Tab` 'le\" \\ Ñame select " + NAMES.incrementAndGet();
        TableSchema s = new TableSchema(TableRef.of("public", t), List.of(
                Column.of("select", ColumnType.INT32, false),
                Column.of("Upper Case", ColumnType.TEXT, true),
                Column.of("back`tick", ColumnType.TEXT, true),
                Column.of("quote'single", ColumnType.TEXT, true),
                Column.of("dq\"", ColumnType.TEXT, true),
                Column.of("back\\slash", ColumnType.TEXT, true),
                Column.of("ünï☃", ColumnType.TEXT, true),
                Column.of("from", ColumnType.TEXT, true)), List.of("select", "Upper Case"), ReplicaIdentity.DEFAULT);

        assertThat(sink.ensureTable(t, s)).isInstanceOf(SchemaSync.Created.class);
        assertThat(sink.ensureTable(t, s)).isInstanceOf(SchemaSync.Unchanged.class);
        sink.write(t, s, List.of(new SinkRow(Row.of(1, "K", "b", "q", "d", "s", "u", "f"), RowVersion.snapshot(Lsn.of(1)), false)));

        Map<RowKey, Row> back = sink.currentRows(t, s, List.of(RowKey.of(1, "K")));
        assertThat(back.get(RowKey.of(1, "K"))).isEqualTo(Row.of(1, "K", "b", "q", "d", "s", "u", "f"));
        assertThat(db.count(t)).isEqualTo(1);
        assertThat(new ClickHouseHousekeeping(db.gateway).listTables()).contains(t);
        sink.truncate(t);
        assertThat(db.count(t)).isZero();
        sink.drop(t);
        assertThat(sink.describe(t)).isEmpty();
    }

    // ---- ensureTable -------------------------------------------------------------------------------------------------

    @Test
    void ensureTableCreatesThenReportsUnchanged() {
        String t = name("create");
        TableSchema s = keyValue(t);

        SchemaSync first = sink.ensureTable(t, s);
        assertThat(first).isInstanceOf(SchemaSync.Created.class);
        assertThat(((SchemaSync.Created) first).ddl()).contains("ReplacingMergeTree(`_echodb_version`, `_echodb_is_deleted`)",
                "ORDER BY (`id`)");
        assertThat(sink.ensureTable(t, s)).isEqualTo(new SchemaSync.Unchanged());
        assertThat(new ClickHouseChangeSink(db.gateway).ensureTable(t, s)).isEqualTo(new SchemaSync.Unchanged());
        assertThat(db.value("SELECT engine FROM system.tables WHERE database = currentDatabase() AND name = "
                + ClickHouseSql.literal(t))).isEqualTo("ReplacingMergeTree");
    }

    @Test
    void addedColumnsAreAddedAsNullableAndOldRowsReadNull() {
        String t = name("add");
        TableSchema v1 = keyValue(t);
        sink.ensureTable(t, v1);
        sink.write(t, v1, List.of(row(1, "old", 1, 1)));
        TableSchema v2 = new TableSchema(v1.table(), List.of(v1.columns().get(0), v1.columns().get(1),
                Column.of("qty", ColumnType.INT32, false), Column.of("tags", new ColumnType.ArrayOf(ColumnType.TEXT), false)),
                List.of("id"), ReplicaIdentity.DEFAULT);

        SchemaSync sync = sink.ensureTable(t, v2);

        assertThat(sync).isInstanceOf(SchemaSync.Altered.class);
        assertThat(((SchemaSync.Altered) sync).changes()).containsExactly(
                "added column qty Nullable(Int32)", "added column tags Array(Nullable(String))");
        assertThat(sink.ensureTable(t, v2)).isEqualTo(new SchemaSync.Unchanged());
        sink.write(t, v2, List.of(new SinkRow(Row.of(2L, "new", 7, List.of("x")), RowVersion.snapshot(Lsn.of(2)), false)));
        Map<RowKey, Row> back = sink.currentRows(t, v2, List.of(RowKey.of(1L), RowKey.of(2L)));
        assertThat(back.get(RowKey.of(1L))).isEqualTo(Row.of(1L, "old", null, List.of()));
        assertThat(back.get(RowKey.of(2L))).isEqualTo(Row.of(2L, "new", 7, List.of("x")));
    }

    @Test
    void droppedColumnsAreKeptByDefaultAndDroppedOnRequest() {
        String t = name("dropcol");
        TableSchema v1 = new TableSchema(TableRef.of("public", t), List.of(Column.of("id", ColumnType.INT64, false),
                Column.of("a", ColumnType.TEXT, false), Column.of("b", ColumnType.TEXT, true)), List.of("id"),
                ReplicaIdentity.DEFAULT);
        sink.ensureTable(t, v1);
        sink.write(t, v1, List.of(new SinkRow(Row.of(1L, "a1", "b1"), RowVersion.snapshot(Lsn.of(1)), false)));
        TableSchema v2 = new TableSchema(v1.table(), List.of(v1.columns().get(0), v1.columns().get(2)), List.of("id"),
                ReplicaIdentity.DEFAULT);

        assertThat(sink.ensureTable(t, v2)).isEqualTo(new SchemaSync.Unchanged());
        sink.write(t, v2, List.of(new SinkRow(Row.of(2L, "b2"), RowVersion.snapshot(Lsn.of(2)), false)));
        assertThat(db.column("SELECT a FROM " + quoted(t) + " FINAL ORDER BY id")).containsExactly("a1", "");

        try (ClickHouseGateway g = new ClickHouseGateway(db.settings().withDropColumnPolicy(DropColumnPolicy.DROP))) {
            SchemaSync sync = new ClickHouseChangeSink(g).ensureTable(t, v2);
            assertThat(sync).isEqualTo(new SchemaSync.Altered(List.of("dropped column a")));
        }
        assertThat(sink.describe(t)).doesNotContainKey("a");
        sink.write(t, v2, List.of(new SinkRow(Row.of(3L, "b3"), RowVersion.snapshot(Lsn.of(3)), false)));
        assertThat(db.count(t)).isEqualTo(3);
    }

    @Test
    void safeWideningsModifyColumnsAndKeepData() {
        String t = name("widen");
        TableSchema v1 = new TableSchema(TableRef.of("public", t), List.of(Column.of("id", ColumnType.INT32, false),
                Column.of("small", ColumnType.INT16, false), Column.of("f", ColumnType.FLOAT32, true),
                Column.of("amount", new ColumnType.Decimal(6, 2), true), Column.of("code", ColumnType.INT32, true),
                Column.of("req", ColumnType.TEXT, false)), List.of("id"), ReplicaIdentity.DEFAULT);
        sink.ensureTable(t, v1);
        sink.write(t, v1, List.of(new SinkRow(Row.of(1, (short) -5, 1.5f, new BigDecimal("1234.56"), 42, "r"),
                RowVersion.snapshot(Lsn.of(1)), false)));
        TableSchema v2 = new TableSchema(v1.table(), List.of(Column.of("id", ColumnType.INT32, false),
                Column.of("small", ColumnType.INT64, false), Column.of("f", ColumnType.FLOAT64, true),
                Column.of("amount", new ColumnType.Decimal(12, 4), true), Column.of("code", ColumnType.TEXT, true),
                Column.of("req", ColumnType.TEXT, true)), List.of("id"), ReplicaIdentity.DEFAULT);

        SchemaSync sync = sink.ensureTable(t, v2);

        assertThat(sync).isInstanceOf(SchemaSync.Altered.class);
        assertThat(((SchemaSync.Altered) sync).changes()).containsExactly(
                "changed column small from Int16 to Int64",
                "changed column f from Nullable(Float32) to Nullable(Float64)",
                "changed column amount from Nullable(Decimal(6, 2)) to Nullable(Decimal(12, 4))",
                "changed column code from Nullable(Int32) to Nullable(String)",
                "changed column req from String to Nullable(String)");
        sink.write(t, v2, List.of(new SinkRow(Row.of(2, 9_000_000_000L, 2.5d, new BigDecimal("12345678.1234"), "A-1", null),
                RowVersion.snapshot(Lsn.of(2)), false)));
        Map<RowKey, Row> back = sink.currentRows(t, v2, List.of(RowKey.of(1), RowKey.of(2)));
        assertThat(back.get(RowKey.of(1))).isEqualTo(Row.of(1, -5L, 1.5d, new BigDecimal("1234.5600"), "42", "r"));
        assertThat(back.get(RowKey.of(2))).isEqualTo(Row.of(2, 9_000_000_000L, 2.5d, new BigDecimal("12345678.1234"), "A-1", null));
    }

    @Test
    void narrowingBackKeepsTheWiderTargetAndConvertsOnWrite() {
        String t = name("narrow");
        TableSchema wide = new TableSchema(TableRef.of("public", t), List.of(Column.of("id", ColumnType.INT32, false),
                Column.of("n", ColumnType.INT64, false), Column.of("s", ColumnType.TEXT, true)), List.of("id"),
                ReplicaIdentity.DEFAULT);
        sink.ensureTable(t, wide);
        TableSchema narrow = new TableSchema(wide.table(), List.of(Column.of("id", ColumnType.INT32, false),
                Column.of("n", ColumnType.INT16, false), Column.of("s", ColumnType.DATE, true)), List.of("id"),
                ReplicaIdentity.DEFAULT);

        assertThat(sink.ensureTable(t, narrow)).isEqualTo(new SchemaSync.Unchanged());
        sink.write(t, narrow, List.of(new SinkRow(Row.of(1, (short) 7, LocalDate.of(2024, 5, 6)), RowVersion.snapshot(Lsn.of(1)), false)));

        assertThat(sink.currentRows(t, narrow, List.of(RowKey.of(1))).get(RowKey.of(1)))
                .isEqualTo(Row.of(1, (short) 7, LocalDate.of(2024, 5, 6)));
        assertThat(db.value("SELECT s FROM " + quoted(t) + " FINAL")).isEqualTo("2024-05-06");
    }

    @Test
    void incompatibleChangesAreReportedWithColumnAndBothTypesAndChangeNothing() {
        String t = name("incompatible");
        TableSchema v1 = new TableSchema(TableRef.of("public", t), List.of(Column.of("id", ColumnType.INT32, false),
                Column.of("ref", ColumnType.INT64, true)), List.of("id"), ReplicaIdentity.DEFAULT);
        sink.ensureTable(t, v1);

        SchemaSync toUuid = sink.ensureTable(t, new TableSchema(v1.table(), List.of(Column.of("id", ColumnType.INT32, false),
                Column.of("ref", ColumnType.UUID, true), Column.of("extra", ColumnType.TEXT, true)), List.of("id"),
                ReplicaIdentity.DEFAULT));
        assertThat(toUuid).isInstanceOf(SchemaSync.Incompatible.class);
        assertThat(((SchemaSync.Incompatible) toUuid).reason()).contains("`ref`", "Nullable(Int64)", "Nullable(UUID)");
        assertThat(sink.describe(t)).doesNotContainKey("extra");

        SchemaSync keyType = sink.ensureTable(t, new TableSchema(v1.table(), List.of(Column.of("id", ColumnType.INT64, false),
                Column.of("ref", ColumnType.INT64, true)), List.of("id"), ReplicaIdentity.DEFAULT));
        assertThat(((SchemaSync.Incompatible) keyType).reason()).contains("`id`", "Int32", "Int64", "key");

        SchemaSync newKey = sink.ensureTable(t, new TableSchema(v1.table(), v1.columns(), List.of("id", "ref"),
                ReplicaIdentity.DEFAULT));
        assertThat(((SchemaSync.Incompatible) newKey).reason()).contains("key", "[id]", "[id, ref]");

        assertThat(sink.describe(t)).containsEntry("id", "Int32").containsEntry("ref", "Nullable(Int64)");
    }

    @Test
    void aFullIdentityTableMayGainColumnsOutsideTheSortingKey() {
        String t = name("fullgrow");
        TableSchema v1 = new TableSchema(TableRef.of("public", t), List.of(Column.of("a", ColumnType.INT32, false),
                Column.of("b", ColumnType.TEXT, true)), List.of("a", "b"), ReplicaIdentity.FULL);
        sink.ensureTable(t, v1);
        sink.write(t, v1, List.of(new SinkRow(Row.of(1, "x"), RowVersion.snapshot(Lsn.of(1)), false)));
        TableSchema v2 = new TableSchema(v1.table(), List.of(v1.columns().get(0), v1.columns().get(1),
                Column.of("c", ColumnType.INT64, true)), List.of("a", "b", "c"), ReplicaIdentity.FULL);

        assertThat(sink.ensureTable(t, v2)).isEqualTo(new SchemaSync.Altered(List.of("added column c Nullable(Int64)")));
        sink.write(t, v2, List.of(new SinkRow(Row.of(2, "y", 5L), RowVersion.snapshot(Lsn.of(2)), false)));
        assertThat(sink.currentRows(t, v2, List.of(RowKey.of(1, "x", null), RowKey.of(2, "y", 5L))))
                .containsOnlyKeys(RowKey.of(1, "x", null), RowKey.of(2, "y", 5L));
    }

    @Test
    void aDecimalKeyCannotHoldNaNAndSaysSo() {
        String t = name("deckey");
        TableSchema s = new TableSchema(TableRef.of("public", t), List.of(Column.of("k", new ColumnType.Decimal(10, 2), false),
                Column.of("amount", new ColumnType.Decimal(10, 2), false)), List.of("k"), ReplicaIdentity.DEFAULT);
        sink.ensureTable(t, s);
        assertThat(sink.describe(t)).containsEntry("k", "Decimal(10, 2)").containsEntry("amount", "Nullable(Decimal(10, 2))");

        sink.write(t, s, List.of(new SinkRow(Row.of(new BigDecimal("1.00"), SpecialValue.NAN), RowVersion.snapshot(Lsn.of(1)), false)));
        assertThat(sink.currentRows(t, s, List.of(RowKey.of(new BigDecimal("1.00")))).get(RowKey.of(new BigDecimal("1.00"))))
                .isEqualTo(Row.of(new BigDecimal("1.00"), null));
        assertThatThrownBy(() -> sink.write(t, s, List.of(new SinkRow(Row.of(SpecialValue.NAN, BigDecimal.ONE),
                RowVersion.snapshot(Lsn.of(1)), false))))
                .isInstanceOf(ClickHouseRejectedException.class).hasMessageContaining("`k`").hasMessageContaining("NaN");
    }

    @Test
    void aTableEchoDbDidNotCreateIsNeverTakenOver() {
        String t = name("foreign");
        db.gateway.execute("CREATE TABLE " + ClickHouseSql.table(db.name, t) + " (id Int64, v String) ENGINE = MergeTree ORDER BY id",
                "create a foreign table");

        SchemaSync sync = sink.ensureTable(t, keyValue(t));

        assertThat(sync).isInstanceOf(SchemaSync.Incompatible.class);
        assertThat(((SchemaSync.Incompatible) sync).reason()).contains(t, "not created by EchoDB");
        assertThat(((SchemaSync.Incompatible) sync).rebuildable()).as("never dropped to make room for a mirror").isFalse();
        assertThat(sink.describe(t)).containsOnlyKeys("id", "v");
    }

    @Test
    void tablesThatCannotBeMirroredAreIncompatible() {
        TableSchema noKey = new TableSchema(TableRef.of("public", "nokey"), List.of(Column.of("a", ColumnType.INT32, true)),
                List.of(), ReplicaIdentity.NOTHING);
        assertThat(sink.ensureTable(name("nokey"), noKey)).isInstanceOf(SchemaSync.Incompatible.class);
    }

    // ---- metadata names ----------------------------------------------------------------------------------------------

    @Test
    void aSourceColumnNamedLikeEchoDbsMetadataIsMirroredAndTheTableTakesOtherMetadataNames() {
        String t = name("metaclash");
        TableSchema s = new TableSchema(TableRef.of("public", t), List.of(Column.of("id", ColumnType.INT64, false),
                Column.of("_echodb_version", ColumnType.TEXT, true), Column.of("_echodb_is_deleted", ColumnType.INT32, true)),
                List.of("id"), ReplicaIdentity.DEFAULT);

        SchemaSync created = sink.ensureTable(t, s);
        sink.write(t, s, List.of(new SinkRow(Row.of(1L, "v1", 7), new RowVersion(10, 1), false),
                new SinkRow(Row.of(2L, "v2", 8), new RowVersion(10, 2), false)));
        sink.write(t, s, List.of(new SinkRow(Row.of(2L, null, null), new RowVersion(11, 1), true)));

        assertThat(((SchemaSync.Created) created).ddl()).contains(
                "ReplacingMergeTree(`_echodb_version_1`, `_echodb_is_deleted_1`)", "`_echodb_synced_at_1`");
        ClickHouseChangeSink fresh = new ClickHouseChangeSink(db.gateway);
        assertThat(fresh.ensureTable(t, s)).as("names read back from the table").isEqualTo(new SchemaSync.Unchanged());
        assertThat(MetadataColumns.read(db.gateway, t))
                .isEqualTo(new MetadataColumns("_echodb_version_1", "_echodb_is_deleted_1", "_echodb_synced_at_1"));
        Map<RowKey, SinkRow> latest = fresh.latestRows(t, s, List.of(RowKey.of(1L), RowKey.of(2L)));
        assertThat(latest).containsOnlyKeys(RowKey.of(1L));
        assertThat(latest.get(RowKey.of(1L))).isEqualTo(new SinkRow(Row.of(1L, "v1", 7), new RowVersion(10, 1), false));
        assertThat(db.gateway.query("SELECT id, _echodb_version, _echodb_is_deleted FROM " + ClickHouseSql.table(db.name, t)
                + " FINAL", "read").rows()).hasSize(1);
        assertThat(new ClickHouseHousekeeping(db.gateway).listTables()).contains(t);
    }

    @Test
    void aColumnAddedLaterUnderAMetadataNameMakesTheTargetRebuildableWithOtherNames() {
        String t = name("metalater");
        TableSchema s = keyValue(t);
        sink.ensureTable(t, s);
        TableSchema later = new TableSchema(s.table(), List.of(s.columns().get(0), s.columns().get(1),
                Column.of("_echodb_synced_at", ColumnType.TEXT, true)), List.of("id"), ReplicaIdentity.DEFAULT);

        SchemaSync sync = sink.ensureTable(t, later);

        assertThat(sync).isInstanceOf(SchemaSync.Incompatible.class);
        assertThat(((SchemaSync.Incompatible) sync).rebuildable()).isTrue();
        assertThat(((SchemaSync.Incompatible) sync).reason()).contains("_echodb_synced_at");
        sink.drop(t);
        assertThat(((SchemaSync.Created) sink.ensureTable(t, later)).ddl()).contains("`_echodb_version_1`");
    }

    // ---- currentRows -------------------------------------------------------------------------------------------------

    @Test
    void currentRowsFindsCompositeAndNullableFullIdentityKeys() {
        String t = name("full");
        TableSchema s = new TableSchema(TableRef.of("public", t), List.of(Column.of("a", ColumnType.INT32, true),
                Column.of("b", ColumnType.TEXT, false), Column.of("c", ColumnType.DATE, true)),
                List.of("a", "b", "c"), ReplicaIdentity.FULL);
        SchemaSync created = sink.ensureTable(t, s);
        assertThat(((SchemaSync.Created) created).ddl()).contains("allow_nullable_key = 1");
        sink.write(t, s, List.of(
                new SinkRow(Row.of(1, "x", LocalDate.of(2020, 1, 1)), RowVersion.snapshot(Lsn.of(1)), false),
                new SinkRow(Row.of(null, "y", null), RowVersion.snapshot(Lsn.of(1)), false),
                new SinkRow(Row.of(2, "z", LocalDate.of(2299, 12, 31)), RowVersion.snapshot(Lsn.of(1)), false)));

        Map<RowKey, Row> back = sink.currentRows(t, s, List.of(RowKey.of(1, "x", LocalDate.of(2020, 1, 1)),
                RowKey.of(null, "y", null), RowKey.of(2, "z", LocalDate.of(2299, 12, 31)), RowKey.of(1, "x", null)));

        // (infinity in a key column is refused: it would be the same key as 2299-12-31, see aKeyDateOutside...)
        assertThat(back).containsOnlyKeys(RowKey.of(1, "x", LocalDate.of(2020, 1, 1)), RowKey.of(null, "y", null),
                RowKey.of(2, "z", LocalDate.of(2299, 12, 31)));
    }

    @Test
    void currentRowsSkipsMissingAndDeletedKeysAndHandlesManyKeys() {
        String t = name("lookup");
        TableSchema s = new TableSchema(TableRef.of("public", t), List.of(Column.of("id", ColumnType.UUID, false),
                Column.of("body", ColumnType.TEXT, true)), List.of("id"), ReplicaIdentity.DEFAULT);
        sink.ensureTable(t, s);
        List<SinkRow> rows = new ArrayList<>();
        List<RowKey> keys = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            UUID id = new UUID(i, -i);
            keys.add(RowKey.of(id));
            rows.add(new SinkRow(Row.of(id, "body " + i), RowVersion.snapshot(Lsn.of(1)), false));
        }
        sink.write(t, s, rows);
        sink.write(t, s, List.of(new SinkRow(Row.of(new UUID(7, -7), null), RowVersion.change(Lsn.of(2), 1), true)));
        keys.add(RowKey.of(UUID.randomUUID()));

        Map<RowKey, Row> back = sink.currentRows(t, s, keys);

        assertThat(back).hasSize(4_999).doesNotContainKey(RowKey.of(new UUID(7, -7)));
        assertThat(back.get(RowKey.of(new UUID(4_321, -4_321)))).isEqualTo(Row.of(new UUID(4_321, -4_321), "body 4321"));
        assertThat(sink.currentRows(t, s, List.of())).isEmpty();
    }

    // ---- truncate, drop ----------------------------------------------------------------------------------------------

    @Test
    void truncateRemovesEveryRowAndTheTableStaysUsable() {
        String t = name("truncate");
        TableSchema s = keyValue(t);
        sink.ensureTable(t, s);
        sink.write(t, s, List.of(row(1, "a", 1, 1), row(2, "b", 1, 2)));

        sink.truncate(t);

        assertThat(db.count(t)).isZero();
        sink.write(t, s, List.of(row(3, "c", 2, 1)));
        assertThat(values(t, s, 1, 2, 3)).containsOnlyKeys(3L);
    }

    /**
     * A table dropped by someone else (a deposed leader's late DROP) after this sink wrote to it: the next write says
     * the target is missing, with its own exception, so the engine copies again instead of failing the mirror.
     */
    @Test
    void aTableDroppedBehindTheSinksBackIsReportedMissing() {
        String t = name("gone");
        TableSchema s = keyValue(t);
        sink.ensureTable(t, s);
        sink.write(t, s, List.of(row(1, "a", 1, 1)));

        db.gateway.execute("DROP TABLE " + ClickHouseSql.table(db.name, t), "drop behind the sink's back");

        assertThatThrownBy(() -> sink.write(t, s, List.of(row(2, "b", 1, 1))))
                .isInstanceOf(io.echodb.core.port.out.TargetMissingException.class).hasMessageContaining(t);
        assertThatThrownBy(() -> sink.write(t, s, List.of(row(2, "b", 1, 1))))
                .isInstanceOf(io.echodb.core.port.out.TargetMissingException.class);
        assertThat(sink.ensureTable(t, s)).isInstanceOf(SchemaSync.Created.class);
        sink.write(t, s, List.of(row(2, "b", 1, 1)));
        assertThat(db.count(t)).isEqualTo(1);
    }

    @Test
    void dropIsIdempotentAndTheTableCanBeCreatedAgain() {
        String t = name("drop");
        TableSchema s = keyValue(t);
        sink.ensureTable(t, s);
        sink.write(t, s, List.of(row(1, "a", 1, 1)));

        sink.drop(t);
        sink.drop(t);
        sink.drop(name("never-existed"));

        assertThat(sink.describe(t)).isEmpty();
        assertThat(sink.ensureTable(t, s)).isInstanceOf(SchemaSync.Created.class);
        assertThat(db.count(t)).isZero();
    }

    // ---- volume ------------------------------------------------------------------------------------------------------

    @Test
    void oneHundredThousandRowsInOneBatch() {
        String t = name("bulk");
        TableSchema s = new TableSchema(TableRef.of("public", t), List.of(Column.of("id", ColumnType.INT64, false),
                Column.of("name", ColumnType.TEXT, true), Column.of("amount", new ColumnType.Decimal(12, 2), true),
                Column.of("at", ColumnType.TIMESTAMPTZ, true), Column.of("ok", ColumnType.BOOL, false)), List.of("id"),
                ReplicaIdentity.DEFAULT);
        sink.ensureTable(t, s);
        int n = 100_000;
        List<SinkRow> rows = new ArrayList<>(n);
        Instant base = Instant.parse("2024-01-01T00:00:00Z");
        for (int i = 0; i < n; i++) {
            rows.add(new SinkRow(Row.of((long) i, "customer-" + i, BigDecimal.valueOf(i, 2), base.plusSeconds(i), i % 2 == 0),
                    RowVersion.snapshot(Lsn.of(42)), false));
        }

        long start = System.nanoTime();
        sink.write(t, s, rows);
        long nanos = System.nanoTime() - start;
        System.out.printf("wrote %d rows in one batch in %d ms (%.0f rows/s)%n", n, nanos / 1_000_000, n * 1e9 / nanos);

        assertThat(db.count(t)).isEqualTo(n);
        assertThat(db.value("SELECT sum(amount) FROM " + quoted(t) + " FINAL"))
                .isEqualTo(BigDecimal.valueOf((long) n * (n - 1) / 2, 2).toPlainString());
        assertThat(sink.currentRows(t, s, List.of(RowKey.of(99_999L))).get(RowKey.of(99_999L)))
                .isEqualTo(Row.of(99_999L, "customer-99999", new BigDecimal("999.99"), base.plusSeconds(99_999), false));
    }

    // ---- failures ----------------------------------------------------------------------------------------------------

    @Test
    void badValuesAreRejectedNamingTableColumnAndValue() {
        String t = name("bad");
        TableSchema s = new TableSchema(TableRef.of("public", t), List.of(Column.of("id", ColumnType.INT64, false),
                Column.of("req", ColumnType.TEXT, false), Column.of("amount", new ColumnType.Decimal(4, 2), true)),
                List.of("id"), ReplicaIdentity.DEFAULT);
        sink.ensureTable(t, s);

        assertThatThrownBy(() -> sink.write(t, s, List.of(new SinkRow(Row.of(1L, null, null), RowVersion.snapshot(Lsn.of(1)), false))))
                .isInstanceOf(ClickHouseRejectedException.class).hasMessageContaining(t).hasMessageContaining("`req`")
                .hasMessageContaining("NULL");
        assertThatThrownBy(() -> sink.write(t, s, List.of(new SinkRow(Row.of(1L, "x", new BigDecimal("123.45")),
                RowVersion.snapshot(Lsn.of(1)), false))))
                .isInstanceOf(ClickHouseRejectedException.class).hasMessageContaining("`amount`").hasMessageContaining("123.45");
        assertThatThrownBy(() -> sink.write(t, s, List.of(new SinkRow(Row.of(1L, UnchangedToast.INSTANCE, null),
                RowVersion.snapshot(Lsn.of(1)), false))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(t).hasMessageContaining("TOAST");
        assertThat(db.count(t)).isZero();
    }

    @Test
    void writingToAMissingTableIsRejected() {
        String t = name("missing");
        assertThatThrownBy(() -> sink.write(t, keyValue(t), List.of(row(1, "a", 1, 1))))
                .isInstanceOf(io.echodb.core.port.out.TargetMissingException.class).hasMessageContaining(t)
                .hasMessageContaining("does not exist");
    }

    @Test
    void anUnreachableServerMakesTheSinkUnavailable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ClickHouseSettings nowhere = ClickHouseSettings.of("127.0.0.1", closedPort, "nowhere", "u", "p");
        try (ClickHouseGateway g = new ClickHouseGateway(nowhere)) {
            ClickHouseChangeSink offline = new ClickHouseChangeSink(g);
            assertThat(g.ping()).isFalse();
            assertThatThrownBy(() -> offline.ensureTable("t", keyValue("t"))).isInstanceOf(SinkUnavailableException.class);
            assertThatThrownBy(() -> offline.truncate("t")).isInstanceOf(SinkUnavailableException.class);
        }
    }

    @Test
    void serverErrorsThatRetryingCannotFixAreRejectedWithClickHousesMessage() {
        assertThatThrownBy(() -> db.gateway.execute("SELEKT 1", "run a typo"))
                .isInstanceOf(ClickHouseRejectedException.class)
                .hasMessageContaining("run a typo").hasMessageContaining("Syntax error")
                .satisfies(e -> assertThat(((ClickHouseRejectedException) e).code()).isEqualTo(62));

        ClickHouseSettings wrongPassword = ClickHouseTestDatabase.settings(db.service, db.name);
        wrongPassword = new ClickHouseSettings(wrongPassword.url(), wrongPassword.user(), wrongPassword.password() + "-wrong",
                null, false, DropColumnPolicy.KEEP);
        try (ClickHouseGateway g = new ClickHouseGateway(wrongPassword)) {
            assertThatThrownBy(() -> new ClickHouseChangeSink(g).truncate("t"))
                    .isInstanceOf(ClickHouseRejectedException.class).hasMessageContaining("truncate");
        }
    }

    // ---- database ---------------------------------------------------------------------------------------------------

    @Test
    void aTargetDatabaseThatDoesNotExistIsCreatedAsTheDocsPromise() {
        String missing = db.name + "_created_" + NAMES.incrementAndGet();
        for (boolean fenced : new boolean[] {false, true}) {
            String database = missing + (fenced ? "_fenced" : "");
            try (ClickHouseGateway g = new ClickHouseGateway(ClickHouseTestDatabase.settings(db.service, database))) {
                ClickHouseChangeSink created = new ClickHouseChangeSink(g);
                ClickHouseChangeSink s = fenced ? created.fencedBy("db:" + database, 1) : created;
                String t = name("in_new_db");
                s.ensureTable(t, keyValue(t));
                s.write(t, keyValue(t), List.of(row(1, "a", 1, 1)));
                assertThat(db.value("SELECT count() FROM " + ClickHouseSql.table(database, t))).isEqualTo("1");
            } finally {
                db.gateway.execute("DROP DATABASE IF EXISTS " + ClickHouseSql.identifier(database), "clean up");
            }
        }
    }

    // ---- memory -----------------------------------------------------------------------------------------------------

    @Test
    void aBatchReservesAtMostAFewMegabytesUpFrontWhateverItsShape() {
        // 50,000 rows of 200 columns reserved about 121 MB before; a million rows of 1,000 columns overflowed an int
        assertThat(TargetRows.initialBufferBytes(50_000, 200)).isEqualTo(TargetRows.MAX_PREALLOCATED_BYTES);
        assertThat(TargetRows.initialBufferBytes(1 << 20, 1_000)).isEqualTo(TargetRows.MAX_PREALLOCATED_BYTES);
        assertThat(TargetRows.initialBufferBytes(10, 2)).isEqualTo(400);
    }

    @Test
    void aWideBatchLargerThanItsFirstBufferIsWrittenWhole() {
        String t = name("wide");
        List<Column> columns = new ArrayList<>();
        columns.add(Column.of("id", ColumnType.INT64, false));
        for (int i = 1; i < 300; i++) {
            columns.add(Column.of("c" + i, ColumnType.TEXT, true));
        }
        TableSchema s = new TableSchema(TableRef.of("public", t), columns, List.of("id"), ReplicaIdentity.DEFAULT);
        sink.ensureTable(t, s);
        String value = "x".repeat(100);
        List<SinkRow> rows = new ArrayList<>();
        for (long id = 1; id <= 200; id++) {
            Object[] values = new Object[300];
            values[0] = id;
            java.util.Arrays.fill(values, 1, 300, value);
            rows.add(new SinkRow(Row.of(values), new RowVersion(1, id), false));
        }
        // about 6 MB of RowBinary: more than the first buffer
        sink.write(t, s, rows);
        assertThat(db.count(t)).isEqualTo(200);
        assertThat(db.value("SELECT sum(length(c299)) FROM " + ClickHouseSql.table(db.name, t) + " FINAL")).isEqualTo("20000");
    }

    // ---- fencing (I4) ------------------------------------------------------------------------------------------------

    @Test
    void onceANewerLeaderClaimedTheDatabaseTheOlderLeadersWritesTakeNoEffect() {
        String t = name("fenced");
        TableSchema s = keyValue(t);
        String fence = "test:" + t;
        ClickHouseChangeSink older = sink.fencedBy(fence, 5);
        older.ensureTable(t, s);
        older.write(t, s, List.of(row(1, "by 5", 10, 1)));

        ClickHouseChangeSink newer = sink.fencedBy(fence, 6);
        newer.write(t, s, List.of(row(2, "by 6", 20, 1)));

        // a stalled former leader wakes up: a late copy batch, a late truncate, late DDL
        assertThatThrownBy(() -> older.write(t, s, List.of(row(3, "late", 5, 0), row(2, "late", 30, 0))))
                .isInstanceOf(FencedOutException.class).hasMessageContaining("token 5").hasMessageContaining("6");
        older.truncate(t);
        assertThatThrownBy(() -> older.drop(t)).isInstanceOf(FencedOutException.class);
        TableSchema wider = new TableSchema(s.table(), List.of(s.columns().get(0), s.columns().get(1),
                Column.of("extra", ColumnType.INT32, true)), List.of("id"), ReplicaIdentity.DEFAULT);
        assertThatThrownBy(() -> older.ensureTable(t, wider)).isInstanceOf(FencedOutException.class);

        assertThat(values(t, s, 1, 2, 3)).containsEntry(1L, "by 5").containsEntry(2L, "by 6").hasSize(2);
        assertThat(sink.describe(t)).doesNotContainKey("extra");
        newer.write(t, s, List.of(row(3, "by 6", 40, 1)));
        assertThat(values(t, s, 1, 2, 3)).containsOnlyKeys(1L, 2L, 3L);
        newer.truncate(t);
        assertThat(db.count(t)).isZero();
        newer.write(t, s, List.of(row(4, "after truncate", 50, 1)));
        assertThat(values(t, s, 1, 2, 3, 4)).containsOnlyKeys(4L);
    }

    @Test
    void aLeaderWhoseTokenIsOlderThanTheClaimedOneNeverWrites() {
        String t = name("stale");
        TableSchema s = keyValue(t);
        String fence = "test:" + t;
        sink.fencedBy(fence, 9).ensureTable(t, s);

        ClickHouseChangeSink stale = sink.fencedBy(fence, 8);
        assertThatThrownBy(() -> stale.write(t, s, List.of(row(1, "stale", 1, 1)))).isInstanceOf(FencedOutException.class);
        TableSchema wider = new TableSchema(s.table(), List.of(s.columns().get(0), s.columns().get(1),
                Column.of("extra", ColumnType.INT32, true)), List.of("id"), ReplicaIdentity.DEFAULT);
        assertThatThrownBy(() -> stale.ensureTable(t, wider)).isInstanceOf(FencedOutException.class);
        assertThat(db.count(t)).isZero();
        // another fence (another deployment's leadership lock) is not affected
        sink.fencedBy("other:" + t, 1).write(t, s, List.of(row(1, "other", 1, 1)));
        assertThat(values(t, s, 1)).containsEntry(1L, "other");
    }

    @Test
    void theFenceTableCannotBeATarget() {
        assertThatThrownBy(() -> sink.ensureTable(TargetFence.TABLE, keyValue(TargetFence.TABLE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
    }

    // ---- helpers -----------------------------------------------------------------------------------------------------

    private static String name(String prefix) {
        return prefix + "_" + NAMES.incrementAndGet();
    }

    private static String quoted(String table) {
        return ClickHouseSql.identifier(table);
    }

    private static TableSchema keyValue(String table) {
        return new TableSchema(TableRef.of("public", table), List.of(Column.of("id", ColumnType.INT64, false),
                Column.of("v", ColumnType.TEXT, true)), List.of("id"), ReplicaIdentity.DEFAULT);
    }

    private static SinkRow row(long id, String v, long lsn, long ordinal) {
        return new SinkRow(Row.of(id, v), new RowVersion(lsn, ordinal), false);
    }

    private static SinkRow deleted(long id, long lsn, long ordinal) {
        return new SinkRow(Row.of(id, null), new RowVersion(lsn, ordinal), true);
    }

    private static Map<Long, String> values(String t, TableSchema s, long... ids) {
        List<RowKey> keys = new ArrayList<>();
        for (long id : ids) {
            keys.add(RowKey.of(id));
        }
        Map<Long, String> out = new java.util.TreeMap<>();
        sink.currentRows(t, s, keys).forEach((k, r) -> out.put((Long) k.get(0), (String) r.get(1)));
        return out;
    }
}
