package io.echodb.core.testing;

import io.echodb.core.model.checksum.RowDigests;
import io.echodb.core.model.checksum.RowDigest;
import io.echodb.core.model.checksum.Query;
import io.echodb.core.model.checksum.HashRange;
import io.echodb.core.model.checksum.Digests;
import io.echodb.core.model.checksum.BucketDigest;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.RowChecksums;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.service.checksum.CanonicalForm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * In-memory {@link RowChecksums} over neutral rows, computed with the reference {@link CanonicalForm}. Every change gets
 * the next position (an LSN counter). As a {@linkplain #source() source} it reports the position of each reading; as a
 * {@linkplain #target() target} it keeps row versions and honours {@code asOf} like the ClickHouse side (changes at or
 * after the position are not seen). {@link #beforeEachRead} lets a test change data between readings.
 */
public final class InMemoryRowChecksums implements RowChecksums {

    private enum Role { SOURCE, TARGET }

    private static final Object DELETED = new Object();

    private final Role role;
    private final Map<TableRef, Table> tables = new HashMap<>();
    private final Set<String> incomparable = new HashSet<>();
    private long lsn = 0x100;
    private int reads;
    private Runnable beforeEachRead = () -> { };

    private InMemoryRowChecksums(Role role) {
        this.role = role;
    }

    /** A source: readings report the position after the last change. */
    public static InMemoryRowChecksums source() {
        return new InMemoryRowChecksums(Role.SOURCE);
    }

    /** A target: readings honour {@code asOf} and report no position of their own. */
    public static InMemoryRowChecksums target() {
        return new InMemoryRowChecksums(Role.TARGET);
    }

    private static final class Table {
        final TableSchema schema;
        final Map<RowKey, TreeMap<Long, Object>> versions = new LinkedHashMap<>();

        Table(TableSchema schema) {
            this.schema = schema;
        }
    }

    /** Creates (or empties) a table. */
    public synchronized void givenTable(TableSchema schema) {
        tables.put(schema.table(), new Table(schema));
    }

    /** Inserts or replaces a row at the next position; returns that position. */
    public synchronized Lsn put(TableRef table, Row row) {
        return put(table, row, Lsn.of(++lsn));
    }

    /** Inserts or replaces a row at {@code at} (e.g. the position the source gave the change). */
    public synchronized Lsn put(TableRef table, Row row, Lsn at) {
        Table t = table(table);
        if (row.size() != t.schema.columns().size()) {
            throw new IllegalArgumentException("row " + row + " does not fit " + t.schema.columns());
        }
        t.versions.computeIfAbsent(row.key(t.schema.keyIndexes()), k -> new TreeMap<>()).put(at.value(), row);
        lsn = Math.max(lsn, at.value());
        return at;
    }

    /** Deletes the row with {@code key} at the next position; returns that position. */
    public synchronized Lsn delete(TableRef table, RowKey key) {
        return delete(table, key, Lsn.of(++lsn));
    }

    public synchronized Lsn delete(TableRef table, RowKey key, Lsn at) {
        table(table).versions.computeIfAbsent(key, k -> new TreeMap<>()).put(at.value(), DELETED);
        lsn = Math.max(lsn, at.value());
        return at;
    }

    /** The current rows (latest versions), in insertion order of their keys. */
    public synchronized List<Row> rows(TableRef table) {
        return current(table(table), Optional.empty());
    }

    /** The position readings report: every change so far lies before it. */
    public synchronized Lsn position() {
        return Lsn.of(lsn + 1);
    }

    /** Makes this side report {@code column} as not comparable. */
    public synchronized void notComparable(String column) {
        incomparable.add(column);
    }

    /** Runs {@code action} (outside this fake's lock) before every reading. */
    public void beforeEachRead(Runnable action) {
        this.beforeEachRead = action;
    }

    /** Readings served so far (bucket and row readings). */
    public synchronized int reads() {
        return reads;
    }

    @Override
    public synchronized List<String> comparableColumns(TableSchema schema) {
        List<String> out = new ArrayList<>(schema.columnNames());
        out.removeAll(incomparable);
        return out;
    }

    @Override
    public Digests bucketDigests(Query query, int childBits) {
        beforeEachRead.run();
        synchronized (this) {
            reads++;
            int depth = query.ranges().get(0).bits();
            for (HashRange r : query.ranges()) {
                if (r.bits() != depth) {
                    throw new IllegalArgumentException("ranges of one query must have one depth: " + query.ranges());
                }
            }
            Map<HashRange, long[]> buckets = new TreeMap<>();
            for (RowDigest d : digests(query)) {
                HashRange bucket = new HashRange(depth, 0).childOf(d.keyHash(), childBits);
                long[] acc = buckets.computeIfAbsent(bucket, b -> new long[2]);
                acc[0]++;
                acc[1] += d.rowHash();
            }
            List<BucketDigest> out = new ArrayList<>();
            buckets.forEach((b, acc) -> out.add(new BucketDigest(b, acc[0], acc[1])));
            return new Digests(out, reported(query), newest(query));
        }
    }

    @Override
    public RowDigests rowDigests(Query query, int limit) {
        beforeEachRead.run();
        synchronized (this) {
            reads++;
            List<RowDigest> all = digests(query);
            Set<String> unsettled = role == Role.TARGET && query.asOf().isPresent() ? unsettled(query) : Set.of();
            return new RowDigests(all.subList(0, Math.min(limit, all.size())), unsettled, reported(query));
        }
    }

    /** Keeps only the latest version of each key, as a ReplacingMergeTree merge does. */
    public synchronized void mergeVersions(TableRef table) {
        for (TreeMap<Long, Object> versions : table(table).versions.values()) {
            Map.Entry<Long, Object> last = versions.lastEntry();
            versions.clear();
            versions.put(last.getKey(), last.getValue());
        }
    }

    /** Keys in the ranges whose every stored version is at or after {@code asOf}: their state then is unknown. */
    private Set<String> unsettled(Query query) {
        TableSchema schema = query.scope().schema();
        Table t = table(schema.table());
        Set<String> out = new HashSet<>();
        for (Map.Entry<RowKey, TreeMap<Long, Object>> e : t.versions.entrySet()) {
            if (e.getValue().firstKey() >= query.asOf().get().value()) {
                String keyText = keyText(schema, e.getKey());
                if (query.covers(CanonicalForm.keyHash(keyText))) {
                    out.add(keyText);
                }
            }
        }
        return out;
    }

    private static String keyText(TableSchema schema, RowKey key) {
        List<ColumnType> keyTypes = new ArrayList<>();
        for (String k : schema.keyColumns()) {
            keyTypes.add(schema.column(k).orElseThrow().type());
        }
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < key.size(); i++) {
            values.add(key.get(i));
        }
        return CanonicalForm.row(keyTypes, values);
    }

    @Override
    public synchronized Optional<Lsn> currentPosition() {
        return role == Role.SOURCE ? Optional.of(position()) : Optional.empty();
    }

    /** A target read as of a position reports its newest version in the ranges, like the ClickHouse side. */
    private Optional<Lsn> newest(Query query) {
        if (role != Role.TARGET || query.asOf().isEmpty()) {
            return Optional.empty();
        }
        TableSchema schema = query.scope().schema();
        Table t = table(schema.table());
        long newest = -1;
        for (Map.Entry<RowKey, TreeMap<Long, Object>> e : t.versions.entrySet()) {
            if (query.covers(CanonicalForm.keyHash(keyText(schema, e.getKey())))) {
                newest = Math.max(newest, e.getValue().lastKey());
            }
        }
        return newest < 0 ? Optional.empty() : Optional.of(Lsn.of(newest));
    }

    private Optional<Lsn> reported(Query query) {
        return role == Role.SOURCE ? Optional.of(position()) : query.asOf();
    }

    private List<RowDigest> digests(Query query) {
        TableSchema schema = query.scope().schema();
        Table t = table(schema.table());
        List<ColumnType> keyTypes = new ArrayList<>();
        for (String k : schema.keyColumns()) {
            keyTypes.add(schema.column(k).orElseThrow().type());
        }
        List<ColumnType> types = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        for (String c : query.scope().columns()) {
            Column col = t.schema.column(c).orElseThrow(() -> new NoSuchElementException("no column " + c));
            types.add(col.type());
            indexes.add(t.schema.indexOf(c));
        }
        int[] keyIdx = t.schema.keyIndexes();
        List<RowDigest> out = new ArrayList<>();
        for (Row row : current(t, role == Role.TARGET ? query.asOf() : Optional.empty())) {
            List<Object> key = new ArrayList<>();
            for (int i : keyIdx) {
                key.add(row.get(i));
            }
            String keyText = CanonicalForm.row(keyTypes, key);
            long keyHash = CanonicalForm.keyHash(keyText);
            if (!query.covers(keyHash)) {
                continue;
            }
            List<Object> values = new ArrayList<>();
            for (int i : indexes) {
                values.add(row.get(i));
            }
            out.add(new RowDigest(keyText, keyHash, CanonicalForm.rowHash(CanonicalForm.row(types, values))));
        }
        return out;
    }

    private static List<Row> current(Table t, Optional<Lsn> asOf) {
        List<Row> out = new ArrayList<>();
        for (TreeMap<Long, Object> versions : t.versions.values()) {
            Map.Entry<Long, Object> latest = asOf.isPresent()
                    ? versions.floorEntry(asOf.get().value() - 1) : versions.lastEntry();
            if (latest != null && latest.getValue() != DELETED) {
                out.add((Row) latest.getValue());
            }
        }
        return out;
    }

    private Table table(TableRef table) {
        Table t = tables.get(table);
        if (t == null) {
            throw new NoSuchElementException("table " + table + " does not exist");
        }
        return t;
    }
}
