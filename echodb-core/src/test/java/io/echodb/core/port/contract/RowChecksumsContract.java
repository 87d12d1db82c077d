package io.echodb.core.port.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.RowChecksums;
import io.echodb.core.model.checksum.BucketDigest;
import io.echodb.core.model.checksum.HashRange;
import io.echodb.core.model.checksum.Query;
import io.echodb.core.model.checksum.RowDigest;
import io.echodb.core.model.checksum.Scope;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.service.checksum.CanonicalForm;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Contract of {@link RowChecksums}, for the source and the target side alike: every reading must equal what the
 * reference {@link CanonicalForm} computes from the same neutral rows. That is what makes the two sides comparable.
 */
public abstract class RowChecksumsContract {

    protected RowChecksums checksums;

    /** The side under test; called before each test. */
    protected abstract RowChecksums newChecksums();

    /**
     * Makes {@code schema}'s table exist on this side holding exactly {@code rows} (neutral values in schema order).
     * Types used: int8, int4, text, numeric(12,2), int4[], timestamptz, bool. Names must be quoted.
     */
    protected abstract void givenTable(TableSchema schema, List<Row> rows);

    /** Schema of the (source) tables the tests use. */
    protected String schema() {
        return "public";
    }

    @BeforeEach
    void open() {
        checksums = newChecksums();
    }

    @Test
    void anEmptyTableHasNoBuckets() {
        TableSchema s = orders(table());
        givenTable(s, List.of());

        assertThat(checksums.bucketDigests(all(s), 0).buckets()).isEmpty();
        assertThat(checksums.rowDigests(all(s), 10).rows()).isEmpty();
    }

    @Test
    void theWholeTableIsOneBucketWithTheReferenceCountAndDigest() {
        TableSchema s = orders(table());
        List<Row> rows = orderRows(120);
        givenTable(s, rows);

        List<BucketDigest> buckets = checksums.bucketDigests(all(s), 0).buckets();

        long digest = reference(s, s.columnNames(), rows).stream().mapToLong(RowDigest::rowHash).sum();
        assertThat(buckets).containsExactly(new BucketDigest(HashRange.ALL, 120, digest));
    }

    @Test
    void childBucketsMatchTheReference() {
        TableSchema s = orders(table());
        List<Row> rows = orderRows(300);
        givenTable(s, rows);

        List<BucketDigest> buckets = checksums.bucketDigests(all(s), 5).buckets();

        assertThat(buckets).containsExactlyInAnyOrderElementsOf(referenceBuckets(reference(s, s.columnNames(), rows), HashRange.ALL, 5));
        assertThat(buckets.stream().mapToLong(BucketDigest::rows).sum()).isEqualTo(300);
    }

    @Test
    void onlyTheRangesAskedForAreDigested() {
        TableSchema s = orders(table());
        List<Row> rows = orderRows(300);
        givenTable(s, rows);
        HashRange a = new HashRange(3, 1);
        HashRange b = new HashRange(3, 6);

        List<BucketDigest> buckets = checksums.bucketDigests(new Query(scope(s), List.of(a, b), Optional.empty()), 2)
                .buckets();

        List<RowDigest> ref = reference(s, s.columnNames(), rows);
        List<BucketDigest> expected = new ArrayList<>(referenceBuckets(ref, a, 2));
        expected.addAll(referenceBuckets(ref, b, 2));
        assertThat(buckets).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(buckets).allMatch(d -> d.bucket().bits() == 5 && (a.encloses(d.bucket()) || b.encloses(d.bucket())));
    }

    @Test
    void rowDigestsCarryTheReferenceKeysAndHashes() {
        TableSchema s = orders(table());
        List<Row> rows = orderRows(150);
        givenTable(s, rows);

        List<RowDigest> digests = checksums.rowDigests(all(s), 1000).rows();

        assertThat(digests).containsExactlyInAnyOrderElementsOf(reference(s, s.columnNames(), rows));
        assertThat(digests).extracting(RowDigest::key).contains("1", "150");
    }

    @Test
    void rowDigestsStayWithinTheRangesAndTheLimit() {
        TableSchema s = orders(table());
        List<Row> rows = orderRows(300);
        givenTable(s, rows);
        HashRange r = new HashRange(2, 3);
        Query q = new Query(scope(s), List.of(r), Optional.empty());

        List<RowDigest> limited = checksums.rowDigests(q, 5).rows();
        List<RowDigest> inRange = checksums.rowDigests(q, 1000).rows();

        List<RowDigest> expected = reference(s, s.columnNames(), rows).stream().filter(d -> r.contains(d.keyHash())).toList();
        assertThat(expected).hasSizeGreaterThan(5);
        assertThat(inRange).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(limited).hasSize(5).allMatch(d -> expected.contains(d));
    }

    @Test
    void nullEmptyTextAndTheWordNullHashDifferently() {
        TableSchema s = orders(table());
        List<Row> rows = List.of(
                order(1, null, null, null, null, null),
                order(2, "", null, null, null, null),
                order(3, "NULL", null, null, null, null),
                order(4, "\\N", null, null, null, null));
        givenTable(s, rows);
        Scope nameOnly = new Scope(s, List.of("id", "name"));

        List<RowDigest> digests = checksums.rowDigests(Query.of(nameOnly, List.of(HashRange.ALL)), 10).rows();

        assertThat(digests).containsExactlyInAnyOrderElementsOf(reference(s, List.of("id", "name"), rows));
        Set<Long> rowHashesWithoutKey = new HashSet<>();
        for (Row r : rows) {
            rowHashesWithoutKey.add(CanonicalForm.rowHash(CanonicalForm.value(ColumnType.TEXT, r.get(1))));
        }
        assertThat(rowHashesWithoutKey).hasSize(4);
    }

    @Test
    void onlyTheScopesColumnsAreHashed() {
        TableSchema s = orders(table());
        List<Row> rows = orderRows(40);
        givenTable(s, rows);
        Scope some = new Scope(s, List.of("amount", "id"));

        List<RowDigest> digests = checksums.rowDigests(Query.of(some, List.of(HashRange.ALL)), 100).rows();

        assertThat(digests).containsExactlyInAnyOrderElementsOf(reference(s, List.of("id", "amount"), rows));
    }

    @Test
    void aCompoundKeyIsRenderedInKeyOrder() {
        TableRef t = table();
        TableSchema s = new TableSchema(t, List.of(
                Column.of("region", ColumnType.TEXT, false),
                Column.of("seq", ColumnType.INT32, false),
                Column.of("note", ColumnType.TEXT, true)), List.of("seq", "region"), ReplicaIdentity.DEFAULT);
        List<Row> rows = List.of(Row.of("eu|west", 1, "a"), Row.of("us", 1, null), Row.of("us", 2, "b,c"));
        givenTable(s, rows);

        List<RowDigest> digests = checksums.rowDigests(all(s), 10).rows();

        assertThat(digests).containsExactlyInAnyOrderElementsOf(reference(s, s.columnNames(), rows));
        assertThat(digests).extracting(RowDigest::key).containsExactlyInAnyOrder("1|eu\\|west", "1|us", "2|us");
    }

    @Test
    void everyColumnOfAPlainTableIsComparable() {
        TableSchema s = orders(table());
        givenTable(s, orderRows(3));

        assertThat(checksums.comparableColumns(s)).containsExactlyElementsOf(s.columnNames());
    }

    @Test
    void aNameThatNeedsQuotingWorks() {
        TableSchema s = orders(TableRef.of(schema(), "Odd \"Quoted\" " + ContractNames.unique("Cs")));
        List<Row> rows = orderRows(7);
        givenTable(s, rows);

        List<BucketDigest> buckets = checksums.bucketDigests(all(s), 0).buckets();

        assertThat(buckets).hasSize(1);
        assertThat(buckets.get(0).rows()).isEqualTo(7);
    }

    @Test
    void readingAMissingTableThrows() {
        TableSchema s = orders(table());

        assertThatThrownBy(() -> checksums.bucketDigests(all(s), 0)).isInstanceOf(RuntimeException.class);
    }

    // ------------------------------------------------------------------ fixtures

    protected TableRef table() {
        return TableRef.of(schema(), ContractNames.unique("cs"));
    }

    /** id int8 key, name text, amount numeric(12,2), tags int4[], placed timestamptz, paid bool (all but id nullable). */
    protected static TableSchema orders(TableRef table) {
        return new TableSchema(table, List.of(
                Column.of("id", ColumnType.INT64, false),
                Column.of("name", ColumnType.TEXT, true),
                Column.of("amount", new ColumnType.Decimal(12, 2), true),
                Column.of("tags", new ColumnType.ArrayOf(ColumnType.INT32), true),
                Column.of("placed", ColumnType.TIMESTAMPTZ, true),
                Column.of("paid", ColumnType.BOOL, true)), List.of("id"), ReplicaIdentity.DEFAULT);
    }

    protected static Row order(long id, String name, BigDecimal amount, List<Integer> tags, Instant placed, Boolean paid) {
        return Row.of(id, name, amount, tags, placed, paid);
    }

    /** Rows 1..n with a mix of values and NULLs. */
    protected static List<Row> orderRows(int n) {
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            rows.add(order(i,
                    i % 7 == 0 ? null : "customer " + i + (i % 5 == 0 ? ", vip|gold" : ""),
                    i % 11 == 0 ? null : new BigDecimal(i * 3 + "." + (i % 100 < 10 ? "0" : "") + (i % 100)),
                    i % 4 == 0 ? List.of() : i % 9 == 0 ? Arrays.asList(i, null) : List.of(i, i + 1),
                    i % 13 == 0 ? null : Instant.parse("2024-03-01T00:00:00Z").plusMillis(i * 1_234_567L),
                    i % 3 == 0 ? null : i % 2 == 0));
        }
        return rows;
    }

    private static Query all(TableSchema s) {
        return Query.of(scope(s), List.of(HashRange.ALL));
    }

    private static Scope scope(TableSchema s) {
        return Scope.allColumns(s);
    }

    /** The reference digests of {@code rows}, hashing {@code columns} (in schema order). */
    protected static List<RowDigest> reference(TableSchema s, List<String> columns, List<Row> rows) {
        List<ColumnType> keyTypes = new ArrayList<>();
        for (String k : s.keyColumns()) {
            keyTypes.add(s.column(k).orElseThrow().type());
        }
        List<String> ordered = new Scope(s, columns).columns();
        List<RowDigest> out = new ArrayList<>();
        for (Row r : rows) {
            List<Object> key = new ArrayList<>();
            for (int i : s.keyIndexes()) {
                key.add(r.get(i));
            }
            List<ColumnType> types = new ArrayList<>();
            List<Object> values = new ArrayList<>();
            for (String c : ordered) {
                types.add(s.column(c).orElseThrow().type());
                values.add(r.get(s.indexOf(c)));
            }
            String keyText = CanonicalForm.row(keyTypes, key);
            out.add(new RowDigest(keyText, CanonicalForm.keyHash(keyText), CanonicalForm.rowHash(CanonicalForm.row(types, values))));
        }
        return out;
    }

    protected static List<BucketDigest> referenceBuckets(List<RowDigest> rows, HashRange within, int childBits) {
        Map<HashRange, long[]> acc = new TreeMap<>();
        for (RowDigest d : rows) {
            if (within.contains(d.keyHash())) {
                long[] a = acc.computeIfAbsent(within.childOf(d.keyHash(), childBits), b -> new long[2]);
                a[0]++;
                a[1] += d.rowHash();
            }
        }
        List<BucketDigest> out = new ArrayList<>();
        acc.forEach((b, a) -> out.add(new BucketDigest(b, a[0], a[1])));
        return out;
    }
}
