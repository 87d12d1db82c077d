package io.echodb.adapters.clickhouse.checksum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.adapters.clickhouse.ClickHouseRejectedException;
import io.echodb.adapters.clickhouse.ClickHouseSql;
import io.echodb.core.change.Lsn;
import io.echodb.core.change.RowVersion;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.checksum.Digests;
import io.echodb.core.model.checksum.HashRange;
import io.echodb.core.model.checksum.Query;
import io.echodb.core.model.checksum.RowDigest;
import io.echodb.core.model.checksum.RowDigests;
import io.echodb.core.model.checksum.Scope;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.service.checksum.CanonicalForm;
import io.echodb.core.testing.CanonicalCases;
import io.echodb.core.testing.CanonicalCases.Case;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClickHouseRowChecksumsTest {

    private static final List<ColumnType> TYPES = List.of(ColumnType.INT64, ColumnType.TEXT);
    private static ChecksumTarget target;

    @BeforeAll
    static void createDatabase() {
        target = ChecksumTarget.create("row_checksums");
    }

    @AfterAll
    static void close() {
        if (target != null) {
            target.close();
        }
    }

    private static TableSchema people(String name) {
        return new TableSchema(TableRef.of("public", name), List.of(
                Column.of("id", ColumnType.INT64, false),
                Column.of("name", ColumnType.TEXT, true)), List.of("id"), ReplicaIdentity.DEFAULT);
    }

    private static RowDigest digest(long id, String name) {
        String key = Long.toString(id);
        return new RowDigest(key, CanonicalForm.keyHash(key), CanonicalForm.rowHash(CanonicalForm.row(TYPES, Arrays.asList(id, name))));
    }

    private static Query all(TableSchema s) {
        return Query.of(Scope.allColumns(s), List.of(HashRange.ALL));
    }

    @Test
    void readAsOfAPositionEachKeyShowsItsLastVersionBeforeIt() {
        TableSchema s = people("as_of");
        target.givenTable(s, List.of(Row.of(1L, "one"), Row.of(2L, "two"), Row.of(3L, "three")), 0x100);
        target.gateway.execute("SYSTEM STOP MERGES " + ClickHouseSql.table(target.database, "as_of"), "keep versions");
        target.write(s, Row.of(1L, "uno"), new RowVersion(0x200, 1), false);
        target.write(s, Row.of(2L, null), new RowVersion(0x200, 2), true);
        target.write(s, Row.of(1L, "eins"), new RowVersion(0x300, 1), false);
        target.write(s, Row.of(4L, "four"), new RowVersion(0x300, 2), false);
        target.write(s, Row.of(3L, null), new RowVersion(0x300, 3), false);
        ClickHouseRowChecksums checksums = target.checksums();

        assertThat(checksums.rowDigests(all(s).asOf(Lsn.of(0x100)), 10).rows()).isEmpty();
        assertThat(checksums.rowDigests(all(s).asOf(Lsn.of(0x101)), 10).rows())
                .containsExactlyInAnyOrder(digest(1, "one"), digest(2, "two"), digest(3, "three"));
        assertThat(checksums.rowDigests(all(s).asOf(Lsn.of(0x300)), 10).rows())
                .containsExactlyInAnyOrder(digest(1, "uno"), digest(3, "three"));
        assertThat(checksums.rowDigests(all(s).asOf(Lsn.of(0x301)), 10).rows())
                .containsExactlyInAnyOrder(digest(1, "eins"), digest(3, null), digest(4, "four"));
        assertThat(checksums.rowDigests(all(s), 10).rows())
                .containsExactlyInAnyOrder(digest(1, "eins"), digest(3, null), digest(4, "four"));
    }

    @Test
    void keysWhoseOlderVersionsWereMergedAwayAreUnsettledAsOfAnEarlierPosition() {
        TableSchema s = people("merged");
        target.givenTable(s, List.of(Row.of(1L, "one"), Row.of(2L, "two")), 0x100);
        target.write(s, Row.of(1L, "uno"), new RowVersion(0x300, 1), false);
        target.write(s, Row.of(5L, "five"), new RowVersion(0x300, 2), false);
        target.gateway.execute("OPTIMIZE TABLE " + ClickHouseSql.table(target.database, "merged") + " FINAL", "merge");

        RowDigests asOf = target.checksums().rowDigests(all(s).asOf(Lsn.of(0x200)), 10);

        assertThat(asOf.rows()).containsExactly(digest(2, "two"));
        assertThat(asOf.unsettled()).containsExactlyInAnyOrder("1", "5");
        assertThat(target.checksums().rowDigests(all(s), 10).unsettled()).isEmpty();
    }

    @Test
    void bucketReadingsAsOfAPositionCountOnlyLiveRowsAndReportTheNewestVersion() {
        TableSchema s = people("newest");
        target.givenTable(s, List.of(Row.of(1L, "one"), Row.of(2L, "two")), 0x100);
        target.write(s, Row.of(2L, null), new RowVersion(0x200, 1), true);
        target.write(s, Row.of(9L, "nine"), new RowVersion(0x900, 1), false);
        ClickHouseRowChecksums checksums = target.checksums();

        Digests asOf = checksums.bucketDigests(all(s).asOf(Lsn.of(0x201)), 0);
        Digests stored = checksums.bucketDigests(all(s), 0);

        assertThat(asOf.buckets()).singleElement().satisfies(b -> {
            assertThat(b.rows()).isEqualTo(1);
            assertThat(b.digest()).isEqualTo(digest(1, "one").rowHash());
        });
        assertThat(asOf.position()).contains(Lsn.of(0x201));
        assertThat(asOf.newest()).contains(Lsn.of(0x900));
        assertThat(stored.buckets()).singleElement().satisfies(b -> assertThat(b.rows()).isEqualTo(2));
        assertThat(stored.newest()).isEmpty();
        assertThat(checksums.currentPosition()).isEmpty();
    }

    @Test
    void aRowOfEveryTypeHashesLikeTheReference() {
        List<Case> cases = CanonicalCases.all();
        List<Column> columns = new ArrayList<>(List.of(Column.of("id", ColumnType.INT32, false)));
        List<ColumnType> types = new ArrayList<>(List.of(ColumnType.INT32));
        List<Object> values = new ArrayList<>(List.of(1));
        for (int i = 0; i < cases.size(); i++) {
            columns.add(Column.of("c" + i, cases.get(i).type(), true));
            types.add(cases.get(i).type());
            values.add(cases.get(i).value());
        }
        TableSchema s = new TableSchema(TableRef.of("public", "every_type"), columns, List.of("id"), ReplicaIdentity.DEFAULT);
        target.givenTable(s, List.of(Row.of(values.toArray())), 0x100);
        String rowText = CanonicalForm.row(types, values);
        RowDigest expected = new RowDigest("1", CanonicalForm.keyHash("1"), CanonicalForm.rowHash(rowText));

        assertThat(target.checksums().rowDigests(all(s), 10).rows()).containsExactly(expected);
        assertThat(target.checksums().rowDigests(all(s).asOf(Lsn.of(0x101)), 10).rows()).containsExactly(expected);
    }

    @Test
    void jsonTypedColumnsAreNotComparable() {
        try (ChecksumTarget json = ChecksumTarget.create("checksum_json", true)) {
            TableSchema s = new TableSchema(TableRef.of("public", "docs"), List.of(
                    Column.of("id", ColumnType.INT64, false),
                    Column.of("doc", ColumnType.JSON, true),
                    Column.of("note", ColumnType.TEXT, true)), List.of("id"), ReplicaIdentity.DEFAULT);
            json.givenTable(s, List.of(Row.of(1L, "{\"a\": 1}", "x")), 0x100);

            assertThat(json.checksums().comparableColumns(s)).containsExactly("id", "note");
        }
    }

    @Test
    void aColumnTheTargetLacksIsNotComparable() {
        TableSchema s = people("lacking");
        target.givenTable(s, List.of(), 0x100);
        TableSchema grown = new TableSchema(s.table(), List.of(s.columns().get(0), s.columns().get(1),
                Column.of("added", ColumnType.INT32, true)), List.of("id"), ReplicaIdentity.DEFAULT);

        assertThat(target.checksums().comparableColumns(grown)).containsExactly("id", "name");
    }

    @Test
    void tablesNotLaidOutByTheNativeEngineAreRefused() {
        target.gateway.execute("CREATE TABLE " + ClickHouseSql.table(target.database, "foreign_layout")
                + " (id Int64, name String) ENGINE = MergeTree ORDER BY id", "create");
        TableSchema s = people("foreign_layout");

        assertThatThrownBy(() -> target.checksums().bucketDigests(all(s), 0))
                .isInstanceOf(ClickHouseRejectedException.class).hasMessageContaining("native engine");
        assertThatThrownBy(() -> target.checksums().bucketDigests(all(people("missing_table")), 0))
                .isInstanceOf(ClickHouseRejectedException.class).hasMessageContaining("does not exist");
    }
}
