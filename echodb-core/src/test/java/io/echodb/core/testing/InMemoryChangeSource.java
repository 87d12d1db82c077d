package io.echodb.core.testing;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeSource;
import io.echodb.core.port.out.ChangeStream;
import io.echodb.core.port.out.CopyCheckpoint;
import io.echodb.core.port.out.CopyRange;
import io.echodb.core.port.out.CopyReceiver;
import io.echodb.core.port.out.SnapshotSession;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.schema.UnchangedToast;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * A PostgreSQL stand-in for the native engine: tables, transactions that append to a WAL with increasing LSNs, one
 * publication, one slot with a confirmed position, exported snapshots at a consistent point, and pgoutput-like
 * streams (Begin, Relation before a table's first change per session or after its shape changed, row changes,
 * Commit; Keepalive once caught up; transactions touching no published table are skipped). Updates mark text and
 * bytes values longer than {@link #TOAST_THRESHOLD} that did not change as {@link UnchangedToast}, like PostgreSQL.
 * Old-row images follow the replica identity (key only, or every column under FULL). Failures can be injected per
 * operation. Thread-safe.
 */
public final class InMemoryChangeSource implements ChangeSource {

    /** Text or bytes values longer than this are "TOASTed": unchanged ones are not resent in updates. */
    public static final int TOAST_THRESHOLD = 2000;

    /** Operations that can be made to fail with {@link SourceUnavailableException}. */
    public enum Operation { PREPARE, PUBLISH, UNPUBLISH, DESCRIBE, OPEN_SNAPSHOT, COPY, OPEN_STREAM, POLL, ACKNOWLEDGE, LAG_BYTES, TEARDOWN }

    private final Clock clock;
    private final Map<TableRef, TableState> tables = new LinkedHashMap<>();
    private final List<Txn> wal = new ArrayList<>();
    private long lastLsn = 0x1_0000_0000L;
    private long nextXid = 700;
    private boolean slotExists;
    private long confirmedFlush;
    private boolean slotInvalidated;
    private int slotsRecreated;
    private boolean publicationExists;
    private final Set<TableRef> published = new HashSet<>();
    private final Map<Operation, Integer> failures = new EnumMap<>(Operation.class);
    private final List<StreamImpl> liveStreams = new ArrayList<>();
    private final List<Lsn> acknowledgements = new CopyOnWriteArrayList<>();
    private int streamsOpened;
    private int snapshotsOpened;
    private int teardowns;
    private boolean keepalives = true;
    private volatile int copyBatchRows = 100;
    private volatile boolean copyRangesLastFirst;
    private volatile int copyRangePages;
    private volatile Runnable snapshotBatchHook = () -> { };
    private volatile Runnable openStreamHook = () -> { };
    private volatile Consumer<Lsn> acknowledgeHook = l -> { };

    public InMemoryChangeSource() {
        this(Clock.systemUTC());
    }

    public InMemoryChangeSource(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    // ================================================================ DDL

    /** CREATE TABLE: like PostgreSQL's oid, a schema without a relation id gets a new one, which renames keep. */
    public synchronized void createTable(TableSchema schema) {
        if (tables.containsKey(schema.table())) {
            throw new IllegalStateException("relation " + schema.table() + " already exists");
        }
        TableState t = new TableState(schema);
        if (schema.relationId() == TableSchema.UNKNOWN_RELATION) {
            t.schema = new TableSchema(schema.table(), schema.columns(), schema.keyColumns(), schema.identity(),
                    t.storageId, schema.sourceProblem());
        }
        tables.put(schema.table(), t);
    }

    /** Convenience: a table with the given columns and key, REPLICA IDENTITY DEFAULT. */
    public TableSchema createTable(TableRef table, List<Column> columns, List<String> keyColumns) {
        createTable(new TableSchema(table, columns, keyColumns, ReplicaIdentity.DEFAULT));
        return tables.get(table).schema;
    }

    /** ALTER TABLE ADD COLUMN: existing rows get null. */
    public synchronized void addColumn(TableRef table, Column column) {
        TableState t = table(table);
        List<Column> cols = new ArrayList<>(t.schema.columns());
        cols.add(column);
        t.reshape(new TableSchema(table, cols, t.schema.keyColumns(), t.schema.identity(),
                t.schema.relationId()));
    }

    /** ALTER TABLE REPLICA IDENTITY: later changes carry old images as {@code identity} says. */
    public synchronized void alterReplicaIdentity(TableRef table, ReplicaIdentity identity) {
        TableState t = table(table);
        t.reshape(new TableSchema(table, t.schema.columns(), t.schema.keyColumns(), identity, t.schema.relationId()));
    }

    /**
     * ALTER TABLE DROP CONSTRAINT of the primary key: the table has no key now (REPLICA IDENTITY stays); rows already
     * there keep their places, new ones are told apart by position only.
     */
    public synchronized void dropPrimaryKey(TableRef table) {
        TableState t = table(table);
        t.reshape(new TableSchema(table, t.schema.columns(), List.of(), t.schema.identity(), t.schema.relationId()));
    }

    /** ALTER TABLE DROP COLUMN (not a key column). */
    public synchronized void dropColumn(TableRef table, String column) {
        TableState t = table(table);
        if (t.schema.keyColumns().contains(column)) {
            throw new IllegalArgumentException("cannot drop key column " + column);
        }
        List<Column> cols = new ArrayList<>(t.schema.columns());
        cols.removeIf(c -> c.name().equals(column));
        t.reshape(new TableSchema(table, cols, t.schema.keyColumns(), t.schema.identity(),
                t.schema.relationId()));
    }

    /** ALTER COLUMN TYPE; stored values are kept as they are (tests choose compatible values). */
    public synchronized void alterColumnType(TableRef table, String column, ColumnType type) {
        TableState t = table(table);
        List<Column> cols = new ArrayList<>();
        for (Column c : t.schema.columns()) {
            cols.add(c.name().equals(column) ? new Column(c.name(), type, c.nullable(), null) : c);
        }
        t.schema = new TableSchema(table, cols, t.schema.keyColumns(), t.schema.identity(), t.schema.relationId());
    }

    /** ALTER TABLE RENAME TO / SET SCHEMA: the same relation (rows, relation id, publication) under a new name. */
    public synchronized void renameTable(TableRef from, TableRef to) {
        TableState t = table(from);
        if (tables.containsKey(to)) {
            throw new IllegalStateException("relation " + to + " already exists");
        }
        tables.remove(from);
        t.schema = new TableSchema(to, t.schema.columns(), t.schema.keyColumns(), t.schema.identity(), t.schema.relationId());
        tables.put(to, t);
        if (published.remove(from)) {
            published.add(to);
        }
    }

    public synchronized void dropTable(TableRef table) {
        table(table);
        tables.remove(table);
        published.remove(table);
    }

    // ================================================================ DML

    public Transaction begin() {
        return new Transaction();
    }

    /** Inserts the rows in one transaction; returns its commit LSN. */
    public Lsn insert(TableRef table, Row... rows) {
        Transaction tx = begin();
        for (Row r : rows) {
            tx.insert(table, r);
        }
        return tx.commit();
    }

    /** Updates the row with {@code newRow}'s key in one transaction. */
    public Lsn update(TableRef table, Row newRow) {
        return begin().update(table, newRow).commit();
    }

    /** Deletes the row with these key values in one transaction. */
    public Lsn delete(TableRef table, Object... keyValues) {
        return begin().delete(table, RowKey.of(keyValues)).commit();
    }

    public Lsn truncate(TableRef... tablesToTruncate) {
        return begin().truncate(tablesToTruncate).commit();
    }

    /**
     * DDL that rewrites stored values without row changes (PostgreSQL's {@code ALTER COLUMN … TYPE … USING}, {@code ADD
     * COLUMN … DEFAULT}, a detached partition): the row with {@code newRow}'s key takes its values, and the stream
     * sees nothing.
     */
    public synchronized void rewriteWithoutChanges(TableRef table, Row newRow) {
        TableState t = table(table);
        t.checkWidth(newRow);
        t.requireKey();
        RowKey key = t.keyOf(newRow);
        if (!t.rows.containsKey(key)) {
            throw new IllegalArgumentException("no row " + key + " in " + table);
        }
        t.rows.put(key, newRow);
    }

    /**
     * VACUUM FULL or CLUSTER: every row moves to another page of a new data file, and the stream sees nothing.
     */
    public synchronized void rewriteFile(TableRef table) {
        TableState t = table(table);
        List<RowKey> keys = new ArrayList<>(t.rows.keySet());
        java.util.Collections.reverse(keys); // rows change order, so ranges of the old file mean nothing any more
        Map<RowKey, Row> rows = new LinkedHashMap<>(t.rows);
        t.rows.clear();
        t.pages.clear();
        t.nextPage = 0;
        t.fileNode++;
        for (RowKey k : keys) {
            t.place(k, rows.get(k));
        }
    }

    /**
     * One transaction of {@code count} updates, row {@code i} being {@code rowAt.apply(i)}; its events are generated
     * on demand, so huge transactions need no memory. Every key must exist; values must not be TOASTed.
     */
    public synchronized Lsn bulkUpdate(TableRef table, int count, IntFunction<Row> rowAt) {
        TableState t = table(table);
        TableSchema schema = t.schema;
        int[] keys = schema.keyIndexes();
        for (int i = 0; i < count; i++) {
            Row row = rowAt.apply(i);
            RowKey key = row.key(keys);
            if (!t.rows.containsKey(key)) {
                throw new IllegalStateException("bulk update of missing key " + key + " in " + table);
            }
            t.rows.put(key, row);
        }
        long xid = nextXid++;
        long first = lastLsn + 8;
        lastLsn += 8L * (count + 1);
        boolean pub = published.contains(table);
        Changes changes = new Changes() {
            @Override
            public int size() {
                return count;
            }

            @Override
            public WalChange get(int i) {
                return new RowChange(new ChangeEvent.Update(table, null, rowAt.apply(i)), schema, pub);
            }
        };
        return append(xid, changes, pub, first);
    }

    /** A source transaction; changes apply when {@link #commit()} is called, in order. */
    public final class Transaction {
        private final List<Op> ops = new ArrayList<>();

        public Transaction insert(TableRef table, Row row) {
            ops.add(new Op('I', table, null, row, null, null));
            return this;
        }

        /** Updates the row with {@code newRow}'s key. */
        public Transaction update(TableRef table, Row newRow) {
            ops.add(new Op('U', table, null, newRow, null, null));
            return this;
        }

        /** Updates the row with {@code oldKey}; {@code newRow} may carry a different key. */
        public Transaction updateKey(TableRef table, RowKey oldKey, Row newRow) {
            ops.add(new Op('U', table, oldKey, newRow, null, null));
            return this;
        }

        /** Sets only the named columns of the row with {@code key} (other values, TOASTed ones too, stay). */
        public Transaction set(TableRef table, RowKey key, Map<String, Object> values) {
            ops.add(new Op('S', table, key, null, null, java.util.Collections.unmodifiableMap(new HashMap<>(values))));
            return this;
        }

        public Transaction delete(TableRef table, RowKey key) {
            ops.add(new Op('D', table, key, null, null, null));
            return this;
        }

        /** ALTER TABLE … RENAME COLUMN, with the stream marker PostgreSQL's event trigger emits in its transaction. */
        public Transaction renameColumn(TableRef table, String from, String to) {
            ops.add(new Op('N', table, null, null, null, Map.of(from, to)));
            return this;
        }

        /** DDL that changes rows without row changes (ADD COLUMN … DEFAULT), with the marker the event trigger emits. */
        public Transaction rewriteMarker(TableRef table, String reason) {
            ops.add(new Op('W', table, null, null, null, Map.of("reason", reason)));
            return this;
        }

        public Transaction truncate(TableRef... truncated) {
            ops.add(new Op('T', null, null, null, List.of(truncated), null));
            return this;
        }

        /** Applies the changes and appends the transaction to the WAL; returns its commit LSN. */
        public Lsn commit() {
            synchronized (InMemoryChangeSource.this) {
                return commitLocked(ops);
            }
        }
    }

    private record Op(char kind, TableRef table, RowKey key, Row row, List<TableRef> tables, Map<String, Object> values) { }

    private Lsn commitLocked(List<Op> ops) {
        long xid = nextXid++;
        long first = lastLsn + 8;
        List<WalChange> changes = new ArrayList<>();
        boolean anyPublished = false;
        for (Op op : ops) {
            WalChange c = switch (op.kind()) {
                case 'I' -> applyInsert(op.table(), op.row());
                case 'U' -> applyUpdate(op.table(), op.key(), op.row());
                case 'S' -> applyUpdate(op.table(), op.key(), withValues(op.table(), op.key(), op.values()));
                case 'D' -> applyDelete(op.table(), op.key());
                case 'N' -> applyColumnRename(op.table(), op.values());
                case 'W' -> new MarkerChange(new ChangeEvent.RowsRewritten(table(op.table()).schema.relationId(), op.table(),
                        (String) op.values().get("reason")), published.contains(op.table()));
                default -> applyTruncate(op.tables());
            };
            lastLsn += 8;
            changes.add(c);
            anyPublished |= c.published();
        }
        List<WalChange> frozen = List.copyOf(changes);
        return append(xid, new Changes() {
            @Override
            public int size() {
                return frozen.size();
            }

            @Override
            public WalChange get(int i) {
                return frozen.get(i);
            }
        }, anyPublished, first);
    }

    private Lsn append(long xid, Changes changes, boolean anyPublished, long firstLsn) {
        long commit = lastLsn + 8;
        long end = commit + 8;
        lastLsn = end;
        wal.add(new Txn(xid, firstLsn, commit, end, clock.instant(), changes, anyPublished));
        notifyAll();
        return Lsn.of(commit);
    }

    private WalChange applyInsert(TableRef table, Row row) {
        TableState t = table(table);
        t.checkWidth(row);
        RowKey key = t.keyOf(row);
        if (t.rows.containsKey(key)) {
            throw new IllegalStateException("duplicate key " + key + " in " + table);
        }
        t.place(key, row);
        return new RowChange(new ChangeEvent.Insert(table, row, t.schema.relationId()), t.schema, published.contains(table));
    }

    private WalChange applyUpdate(TableRef table, RowKey oldKeyOrNull, Row newRow) {
        TableState t = table(table);
        t.checkWidth(newRow);
        t.requireKey();
        RowKey newKey = t.keyOf(newRow);
        RowKey oldKey = oldKeyOrNull == null ? newKey : oldKeyOrNull;
        Row old = t.rows.get(oldKey);
        if (old == null) {
            throw new IllegalStateException("no row with key " + oldKey + " in " + table);
        }
        if (!newKey.equals(oldKey) && t.rows.containsKey(newKey)) {
            throw new IllegalStateException("duplicate key " + newKey + " in " + table);
        }
        Object[] sent = newRow.toArray();
        for (int i = 0; i < sent.length; i++) {
            if (toasted(old.get(i)) && Objects.deepEquals(old.get(i), sent[i])) {
                sent[i] = UnchangedToast.INSTANCE;
            }
        }
        Row oldImage = null;
        if (t.schema.identity() == ReplicaIdentity.FULL) {
            oldImage = old;
        } else if (!newKey.equals(oldKey)) {
            oldImage = t.keyOnly(old);
        }
        t.displace(oldKey);
        t.place(newKey, newRow); // a new row version on a later page, like an update that does not fit its page
        return new RowChange(new ChangeEvent.Update(table, oldImage, Row.wrap(sent), t.schema.relationId()), t.schema,
                published.contains(table));
    }

    private Row withValues(TableRef table, RowKey key, Map<String, Object> values) {
        TableState t = table(table);
        Row current = t.rows.get(key);
        if (current == null) {
            throw new IllegalStateException("no row with key " + key + " in " + table);
        }
        Object[] v = current.toArray();
        values.forEach((column, value) -> {
            int i = t.schema.indexOf(column);
            if (i < 0) {
                throw new IllegalArgumentException("no column " + column + " in " + table);
            }
            v[i] = value;
        });
        return Row.wrap(v);
    }

    private WalChange applyColumnRename(TableRef table, Map<String, Object> renames) {
        TableState t = table(table);
        Map<String, String> names = new LinkedHashMap<>();
        renames.forEach((from, to) -> names.put(from, (String) to));
        List<Column> cols = new ArrayList<>();
        for (Column c : t.schema.columns()) {
            String name = names.getOrDefault(c.name(), c.name());
            cols.add(new Column(name, c.type(), c.nullable(), c.sourceType()));
        }
        List<String> keys = t.schema.keyColumns().stream().map(k -> names.getOrDefault(k, k)).toList();
        t.schema = new TableSchema(table, cols, keys, t.schema.identity(), t.schema.relationId());
        return new MarkerChange(new ChangeEvent.ColumnsRenamed(t.schema.relationId(), table, names), published.contains(table));
    }

    private WalChange applyDelete(TableRef table, RowKey key) {
        TableState t = table(table);
        t.requireKey();
        Row old = t.rows.get(key);
        t.displace(key);
        if (old == null) {
            throw new IllegalStateException("no row with key " + key + " in " + table);
        }
        Row image = t.schema.identity() == ReplicaIdentity.FULL ? old : t.keyOnly(old);
        return new RowChange(new ChangeEvent.Delete(table, image, t.schema.relationId()), t.schema, published.contains(table));
    }

    private WalChange applyTruncate(List<TableRef> truncated) {
        List<TableSchema> pub = new ArrayList<>();
        for (TableRef ref : truncated) {
            TableState t = table(ref);
            t.rows.clear();
            t.pages.clear();
            t.nextPage = 0;
            t.fileNode++;
            if (published.contains(ref)) {
                pub.add(t.schema);
            }
        }
        return new TruncateChange(List.copyOf(pub));
    }

    private static boolean toasted(Object v) {
        return (v instanceof String s && s.length() > TOAST_THRESHOLD) || (v instanceof byte[] b && b.length > TOAST_THRESHOLD);
    }

    // ================================================================ ChangeSource

    @Override
    public synchronized Lsn prepare() {
        maybeFail(Operation.PREPARE);
        if (!slotExists) {
            slotExists = true;
            confirmedFlush = lastLsn;
        }
        publicationExists = true;
        return Lsn.of(confirmedFlush);
    }

    @Override
    public synchronized void publish(TableRef table) {
        maybeFail(Operation.PUBLISH);
        if (!publicationExists) {
            throw new IllegalStateException("publication does not exist; call prepare() first");
        }
        if (!tables.containsKey(table)) {
            throw new IllegalArgumentException("relation " + table + " does not exist");
        }
        published.add(table);
    }

    @Override
    public synchronized void unpublish(TableRef table, long relationId) {
        maybeFail(Operation.UNPUBLISH);
        if (relationId == TableSchema.UNKNOWN_RELATION) {
            published.remove(table);
        } else {
            published.removeIf(name -> tables.containsKey(name) && tables.get(name).schema.relationId() == relationId);
        }
    }

    @Override
    public synchronized Optional<TableSchema> describe(TableRef table) {
        maybeFail(Operation.DESCRIBE);
        TableState t = tables.get(table);
        return t == null ? Optional.empty() : Optional.of(t.schema);
    }

    @Override
    public synchronized Optional<TableSchema> useFullReplicaIdentity(TableRef table) {
        if (!tables.containsKey(table)) {
            return Optional.empty();
        }
        alterReplicaIdentity(table, ReplicaIdentity.FULL);
        return describe(table);
    }

    @Override
    public synchronized SnapshotSession openSnapshot() {
        maybeFail(Operation.OPEN_SNAPSHOT);
        snapshotsOpened++;
        Map<TableRef, List<Row>> data = new HashMap<>();
        Map<TableRef, TableSchema> schemas = new HashMap<>();
        Map<TableRef, long[]> pages = new HashMap<>();
        Map<TableRef, long[]> files = new HashMap<>();
        tables.forEach((ref, t) -> {
            data.put(ref, List.copyOf(t.rows.values()));
            schemas.put(ref, t.schema);
            pages.put(ref, t.rows.keySet().stream().mapToLong(t.pages::get).toArray());
            long relation = t.schema.relationId() != TableSchema.UNKNOWN_RELATION ? t.schema.relationId() : t.storageId;
            files.put(ref, new long[] {t.fileNode, t.nextPage, relation});
        });
        return new SnapshotImpl(Lsn.of(lastLsn), data, schemas, pages, files);
    }

    @Override
    public ChangeStream openStream(Lsn from) {
        openStreamHook.run(); // outside the monitor: a hook may block, like a server that keeps the slot busy
        return openStreamNow(from);
    }

    private synchronized ChangeStream openStreamNow(Lsn from) {
        maybeFail(Operation.OPEN_STREAM);
        if (!slotExists) {
            throw new IllegalStateException("replication slot does not exist; call prepare() first");
        }
        if (slotInvalidated) {
            throw io.echodb.core.port.out.SlotInvalidatedException.of("in-memory", new IllegalStateException("WAL removed"));
        }
        if (!liveStreams.isEmpty()) {
            throw SourceUnavailableException.of("start replication", new IllegalStateException("replication slot is active"));
        }
        long start = Long.compareUnsigned(from.value(), confirmedFlush) > 0 ? from.value() : confirmedFlush;
        StreamImpl s = new StreamImpl(start);
        liveStreams.add(s);
        streamsOpened++;
        return s;
    }

    @Override
    public synchronized long lagBytes() {
        maybeFail(Operation.LAG_BYTES);
        return slotExists ? lastLsn - confirmedFlush : 0;
    }

    @Override
    public synchronized Lsn currentLsn() {
        return Lsn.of(lastLsn);
    }

    @Override
    public synchronized Lsn recreateSlot() {
        if (!liveStreams.isEmpty()) {
            throw new IllegalStateException("replication slot is active for a stream; close the stream first");
        }
        slotInvalidated = false;
        slotExists = true;
        confirmedFlush = lastLsn;
        slotsRecreated++;
        return Lsn.of(confirmedFlush);
    }

    @Override
    public synchronized void teardown() {
        maybeFail(Operation.TEARDOWN);
        if (!liveStreams.isEmpty()) {
            throw new IllegalStateException("replication slot is active for a stream; close the stream first");
        }
        if (slotExists || publicationExists) {
            teardowns++;
        }
        slotExists = false;
        publicationExists = false;
        published.clear();
        confirmedFlush = 0;
    }

    // ================================================================ inspection, hooks, failures

    /** The table's current rows, in key order of insertion. */
    public synchronized List<Row> rows(TableRef table) {
        return List.copyOf(table(table).rows.values());
    }

    public synchronized TableSchema schema(TableRef table) {
        return table(table).schema;
    }

    /**
     * The table's rows as of the end of the last transaction whose end LSN is at most {@code upTo}, rebuilt from the
     * WAL (unchanged TOAST values filled from the earlier row). Keys use the key indexes of each change's schema.
     */
    public synchronized Map<RowKey, Row> rowsAsOf(TableRef table, Lsn upTo) {
        Map<RowKey, Row> state = new LinkedHashMap<>();
        for (Txn t : wal) {
            if (Long.compareUnsigned(t.endLsn(), upTo.value()) > 0) {
                break;
            }
            for (int i = 0; i < t.changes().size(); i++) {
                WalChange c = t.changes().get(i);
                if (c instanceof TruncateChange tc) {
                    if (tc.tables().stream().anyMatch(s -> s.table().equals(table))) {
                        state.clear();
                    }
                    continue;
                }
                if (c instanceof MarkerChange) {
                    continue;
                }
                RowChange rc = (RowChange) c;
                int[] keys = rc.schema().keyIndexes();
                ChangeEvent e = rc.event();
                if (e instanceof ChangeEvent.Insert ins && ins.table().equals(table)) {
                    state.put(ins.newRow().key(keys), ins.newRow());
                } else if (e instanceof ChangeEvent.Update up && up.table().equals(table)) {
                    RowKey newKey = up.newRow().key(keys);
                    RowKey oldKey = up.oldRow() == null ? newKey : up.oldRow().key(keys);
                    Row before = state.remove(oldKey);
                    Object[] v = up.newRow().toArray();
                    for (int j = 0; j < v.length; j++) {
                        if (v[j] == UnchangedToast.INSTANCE && before != null) {
                            v[j] = before.get(j);
                        }
                    }
                    state.put(newKey, Row.wrap(v));
                } else if (e instanceof ChangeEvent.Delete del && del.table().equals(table)) {
                    state.remove(del.oldRow().key(keys));
                }
            }
        }
        return state;
    }

    public synchronized boolean slotExists() {
        return slotExists;
    }

    public synchronized boolean publicationExists() {
        return publicationExists;
    }

    public synchronized boolean isPublished(TableRef table) {
        return published.contains(table);
    }

    public synchronized Lsn confirmedFlush() {
        return Lsn.of(confirmedFlush);
    }

    /** Every position acknowledged through any stream, in order. */
    public List<Lsn> acknowledgements() {
        return List.copyOf(acknowledgements);
    }

    public synchronized int streamsOpened() {
        return streamsOpened;
    }

    public synchronized int liveStreams() {
        return liveStreams.size();
    }

    public synchronized int snapshotsOpened() {
        return snapshotsOpened;
    }

    /** How many times an existing slot was dropped. */
    public synchronized int teardowns() {
        return teardowns;
    }

    /** The next {@code times} calls of {@code op} throw {@link SourceUnavailableException}. */
    public synchronized void failNext(Operation op, int times) {
        failures.merge(op, times, Integer::sum);
    }

    /** Every open stream loses its connection: its next call throws, and the slot is free again. */
    /**
     * As PostgreSQL does when the slot retains more than max_slot_wal_keep_size: the changes it still had are gone,
     * its stream ends and it can never stream again.
     */
    public synchronized void invalidateSlot() {
        slotInvalidated = true;
        dropConnections();
    }

    /** How many times {@link #recreateSlot} ran. */
    public synchronized int slotsRecreated() {
        return slotsRecreated;
    }

    public synchronized void dropConnections() {
        for (StreamImpl s : liveStreams) {
            s.dead = true;
        }
        liveStreams.clear();
        notifyAll();
    }

    /** Runs at the start of every {@link #openStream} (on the opening thread, outside this source's monitor). */
    public void onOpenStream(Runnable hook) {
        this.openStreamHook = Objects.requireNonNull(hook, "hook");
    }

    /** Runs before each batch a snapshot copy delivers (on the copying thread). */
    public void onSnapshotBatch(Runnable hook) {
        this.snapshotBatchHook = Objects.requireNonNull(hook, "hook");
    }

    /** Runs on every acknowledgement, after the slot moved. */
    public void onAcknowledge(Consumer<Lsn> hook) {
        this.acknowledgeHook = Objects.requireNonNull(hook, "hook");
    }

    /**
     * Copies read their page ranges last one first (parallel workers finish ranges in any order): the open-ended last
     * range, where updated rows go, can finish before earlier ones.
     */
    public void copyRangesLastFirst(boolean value) {
        this.copyRangesLastFirst = value;
    }

    /** Pages per copy range (one row per page); 0 (the default): as many as {@link #copyBatchRows}. */
    public void copyRangePages(int pages) {
        this.copyRangePages = pages;
    }

    /** Rows per batch a snapshot copy delivers (default 100). */
    public void copyBatchRows(int rows) {
        this.copyBatchRows = rows;
    }

    /** Whether streams send a Keepalive once they caught up (default true). */
    public synchronized void keepalives(boolean enabled) {
        this.keepalives = enabled;
    }

    private void maybeFail(Operation op) {
        synchronized (this) {
            Integer left = failures.get(op);
            if (left == null || left <= 0) {
                return;
            }
            failures.put(op, left - 1);
        }
        throw SourceUnavailableException.of(op.name().toLowerCase(), new IllegalStateException("injected failure"));
    }

    private TableState table(TableRef table) {
        TableState t = tables.get(table);
        if (t == null) {
            throw new IllegalArgumentException("relation " + table + " does not exist");
        }
        return t;
    }

    // ================================================================ internals

    private static final java.util.concurrent.atomic.AtomicLong NEXT_STORAGE_ID = new java.util.concurrent.atomic.AtomicLong(16_384);

    private static final class TableState {
        TableSchema schema;
        /** In page order: a new row, and an updated one, goes to a page after every other row's. */
        final LinkedHashMap<RowKey, Row> rows = new LinkedHashMap<>();
        /** The "page" of each row (one row per page in this fake); rises with every insert and update. */
        final Map<RowKey, Long> pages = new HashMap<>();
        long nextPage;
        /** The data file: a new one after a truncate or {@link #rewriteFile}. */
        long fileNode = 1;
        /** Names this table's page ranges when its schema has no relation id (a new table gets a new one). */
        final long storageId = NEXT_STORAGE_ID.incrementAndGet();
        private long keylessCounter;

        void place(RowKey key, Row row) {
            rows.put(key, row);
            pages.put(key, nextPage++);
        }

        void displace(RowKey key) {
            rows.remove(key);
            pages.remove(key);
        }

        TableState(TableSchema schema) {
            this.schema = schema;
        }

        void checkWidth(Row row) {
            if (row.size() != schema.columns().size()) {
                throw new IllegalArgumentException("row " + row + " does not fit the " + schema.columns().size()
                        + " columns of " + schema.table());
            }
        }

        void requireKey() {
            if (schema.keyColumns().isEmpty()) {
                throw new IllegalStateException(schema.table() + " has no key: the fake cannot update or delete in it");
            }
        }

        RowKey keyOf(Row row) {
            return schema.keyColumns().isEmpty() ? RowKey.of(keylessCounter++) : row.key(schema.keyIndexes());
        }

        Row keyOnly(Row row) {
            Object[] v = new Object[row.size()];
            for (int i : schema.keyIndexes()) {
                v[i] = row.get(i);
            }
            return Row.wrap(v);
        }

        void reshape(TableSchema next) {
            List<RowKey> keys = new ArrayList<>(rows.keySet());
            for (RowKey k : keys) {
                Row r = rows.get(k);
                Object[] v = new Object[next.columns().size()];
                for (int i = 0; i < v.length; i++) {
                    int j = schema.indexOf(next.columns().get(i).name());
                    v[i] = j < 0 ? null : r.get(j);
                }
                rows.put(k, Row.wrap(v));
            }
            schema = next;
        }
    }

    private sealed interface WalChange permits RowChange, TruncateChange, MarkerChange {
        boolean published();
    }

    private record RowChange(ChangeEvent event, TableSchema schema, boolean published) implements WalChange { }

    /** A logical decoding message in the transaction (an event trigger's stream marker). */
    private record MarkerChange(ChangeEvent event, boolean published) implements WalChange { }

    private record TruncateChange(List<TableSchema> tables) implements WalChange {
        @Override
        public boolean published() {
            return !tables.isEmpty();
        }
    }

    private interface Changes {
        int size();

        WalChange get(int i);
    }

    private record Txn(long xid, long firstLsn, long commitLsn, long endLsn, Instant time, Changes changes, boolean anyPublished) { }

    private final class StreamImpl implements ChangeStream {
        private final long start;
        private final ArrayDeque<ChangeEvent> pending = new ArrayDeque<>();
        private final Map<TableRef, TableSchema> sentRelations = new HashMap<>();
        private int txnIndex;
        private int changeIndex = -1;
        private long lastKeepalive = -1;
        private long deliveredUpTo;
        private boolean closed;
        private volatile boolean dead;

        StreamImpl(long start) {
            this.start = start;
            this.deliveredUpTo = start;
        }

        @Override
        public Optional<ChangeEvent> poll(Duration timeout) {
            synchronized (InMemoryChangeSource.this) {
                usable();
                try {
                    maybeFail(Operation.POLL);
                } catch (SourceUnavailableException e) {
                    dead = true;
                    liveStreams.remove(this);
                    throw e;
                }
                long deadline = System.nanoTime() + timeout.toNanos();
                while (true) {
                    if (!pending.isEmpty()) {
                        ChangeEvent e = pending.poll();
                        if (e instanceof ChangeEvent.Commit c) {
                            deliveredUpTo = Math.max(deliveredUpTo, c.endLsn().value());
                        }
                        return Optional.of(e);
                    }
                    if (produce()) {
                        continue;
                    }
                    if (keepalives && lastKeepalive != lastLsn) {
                        lastKeepalive = lastLsn;
                        deliveredUpTo = Math.max(deliveredUpTo, lastLsn);
                        return Optional.of(new ChangeEvent.Keepalive(Lsn.of(lastLsn)));
                    }
                    long waitNanos = deadline - System.nanoTime();
                    if (waitNanos <= 0) {
                        return Optional.empty();
                    }
                    try {
                        InMemoryChangeSource.this.wait(Math.max(1, waitNanos / 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return Optional.empty();
                    }
                    usable();
                }
            }
        }

        /** Puts the next events of the WAL into {@code pending}; false when caught up. */
        private boolean produce() {
            while (txnIndex < wal.size()) {
                Txn t = wal.get(txnIndex);
                if (t.endLsn() <= start || !t.anyPublished()) {
                    txnIndex++;
                    changeIndex = -1;
                    continue;
                }
                if (changeIndex < 0) {
                    pending.add(new ChangeEvent.Begin(t.xid(), Lsn.of(t.commitLsn()), t.time()));
                    changeIndex = 0;
                    return true;
                }
                while (changeIndex < t.changes().size()) {
                    WalChange c = t.changes().get(changeIndex++);
                    if (emit(c)) {
                        return true;
                    }
                }
                pending.add(new ChangeEvent.Commit(Lsn.of(t.commitLsn()), Lsn.of(t.endLsn()), t.time()));
                txnIndex++;
                changeIndex = -1;
                return true;
            }
            return false;
        }

        private boolean emit(WalChange c) {
            if (!c.published()) {
                return false;
            }
            if (c instanceof RowChange rc) {
                relation(rc.schema());
                pending.add(rc.event());
            } else if (c instanceof MarkerChange mc) {
                pending.add(mc.event());
            } else {
                TruncateChange tc = (TruncateChange) c;
                tc.tables().forEach(this::relation);
                pending.add(new ChangeEvent.Truncate(tc.tables().stream().map(TableSchema::table).toList()));
            }
            return true;
        }

        private void relation(TableSchema schema) {
            if (!schema.equals(sentRelations.get(schema.table()))) {
                sentRelations.put(schema.table(), schema);
                pending.add(new ChangeEvent.Relation(schema));
            }
        }

        @Override
        public void acknowledge(Lsn flushed) {
            synchronized (InMemoryChangeSource.this) {
                usable();
                maybeFail(Operation.ACKNOWLEDGE);
                if (Long.compareUnsigned(flushed.value(), deliveredUpTo) > 0) {
                    throw new IllegalStateException("acknowledged " + flushed + " beyond what was streamed (" + Lsn.of(deliveredUpTo) + ")");
                }
                if (slotExists && Long.compareUnsigned(flushed.value(), confirmedFlush) > 0) {
                    confirmedFlush = flushed.value();
                }
                acknowledgements.add(flushed);
            }
            acknowledgeHook.accept(flushed);
        }

        @Override
        public void close() {
            synchronized (InMemoryChangeSource.this) {
                closed = true;
                liveStreams.remove(this);
            }
        }

        private void usable() {
            if (closed) {
                throw new IllegalStateException("stream is closed");
            }
            if (dead) {
                throw SourceUnavailableException.of("read the replication stream", new IllegalStateException("connection lost"));
            }
        }
    }

    private final class SnapshotImpl implements SnapshotSession {
        private final Lsn point;
        private final Map<TableRef, List<Row>> data;
        private final Map<TableRef, TableSchema> schemas;
        /** Per table: each row's page, in the order of {@link #data}. */
        private final Map<TableRef, long[]> pages;
        /** Per table: its file node, the page after its last, and the relation id its ranges carry. */
        private final Map<TableRef, long[]> files;
        private volatile boolean closed;

        SnapshotImpl(Lsn point, Map<TableRef, List<Row>> data, Map<TableRef, TableSchema> schemas,
                Map<TableRef, long[]> pages, Map<TableRef, long[]> files) {
            this.point = point;
            this.data = data;
            this.schemas = schemas;
            this.pages = pages;
            this.files = files;
        }

        @Override
        public Lsn consistentPoint() {
            return point;
        }

        @Override
        public long estimateRows(TableRef table, List<CopyRange> finished) {
            List<Row> rows = data.get(table);
            if (rows == null) {
                return 0;
            }
            long[] rowPages = pages.get(table);
            long[] file = files.get(table);
            if (rowPages == null || file == null) {
                return rows.size();
            }
            long left = 0;
            for (CopyRange gap : CopyCheckpoint.remaining(finished, file[2], file[0])) {
                left += rowsIn(rows, rowPages, gap.firstPage(), gap.endPage()).size();
            }
            return left;
        }

        @Override
        public void copy(TableSchema described, Set<String> omitted, int parallelism, List<CopyRange> finished,
                CopyReceiver batches) {
            maybeFail(Operation.COPY);
            List<io.echodb.core.schema.Column> kept = new ArrayList<>(described.columns());
            kept.removeIf(c -> omitted.contains(c.name()));
            List<String> key = new ArrayList<>(described.keyColumns());
            key.removeAll(omitted);
            TableSchema schema = new TableSchema(described.table(), kept, key, described.identity(), described.relationId());
            if (closed) {
                throw new IllegalStateException("snapshot is closed");
            }
            List<Row> rows = data.get(schema.table());
            TableSchema at = schemas.get(schema.table());
            if (rows == null) {
                throw new IllegalStateException("relation " + schema.table() + " does not exist in the snapshot");
            }
            int[] from = new int[schema.columns().size()];
            for (int i = 0; i < from.length; i++) {
                from[i] = at.indexOf(schema.columns().get(i).name());
            }
            int size = Math.max(1, copyRangePages > 0 ? copyRangePages : copyBatchRows);
            List<Chunk> chunks = chunks(at, rows, pages.get(schema.table()), files.get(schema.table()), finished, size);
            if (copyRangesLastFirst) {
                java.util.Collections.reverse(chunks);
            }
            int workers = Math.max(1, Math.min(parallelism, chunks.size()));
            if (workers == 1) {
                for (Chunk chunk : chunks) {
                    deliver(chunk, from, batches);
                }
                return;
            }
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                Thread t = new Thread(() -> {
                    try {
                        for (int c = worker; c < chunks.size() && errors.isEmpty(); c += workers) {
                            deliver(chunks.get(c), from, batches);
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }, "fake-copy-" + w);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while copying", e);
                }
            }
            if (!errors.isEmpty()) {
                Throwable first = errors.get(0);
                if (first instanceof Error e) {
                    throw e;
                }
                throw (RuntimeException) first;
            }
        }

        /** A page range of the table and its rows. */
        private record Chunk(CopyRange range, List<Row> rows) { }

        /**
         * Page ranges of {@code size} pages each (the last open-ended) over the pages no finished range of the table's
         * current file covers.
         */
        private List<Chunk> chunks(TableSchema at, List<Row> rows, long[] rowPages, long[] file, List<CopyRange> finished,
                int size) {
            List<Chunk> out = new ArrayList<>();
            long end = file[1];
            long relation = file[2];
            for (CopyRange gap : CopyCheckpoint.remaining(finished, relation, file[0])) {
                long first = gap.firstPage();
                while (true) {
                    long last = first + size;
                    boolean tail = gap.openEnded() ? last >= end : last >= gap.endPage();
                    long stop = tail ? gap.endPage() : last;
                    out.add(new Chunk(new CopyRange(relation, file[0], first, stop), rowsIn(rows, rowPages, first, stop)));
                    if (tail) {
                        break;
                    }
                    first = last;
                }
            }
            return out;
        }

        private static List<Row> rowsIn(List<Row> rows, long[] rowPages, long first, long end) {
            List<Row> in = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                if (rowPages[i] >= first && rowPages[i] < end) {
                    in.add(rows.get(i));
                }
            }
            return in;
        }

        private void deliver(Chunk chunk, int[] from, CopyReceiver batches) {
            int size = Math.max(1, copyBatchRows);
            for (int i = 0; i < chunk.rows().size(); i += size) {
                deliver(chunk.rows().subList(i, Math.min(chunk.rows().size(), i + size)), from, batches);
            }
            batches.rangeFinished(chunk.range());
        }

        private void deliver(List<Row> chunk, int[] from, CopyReceiver batches) {
            snapshotBatchHook.run();
            List<Row> out = new ArrayList<>(chunk.size());
            for (Row r : chunk) {
                Object[] v = new Object[from.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = from[i] < 0 ? null : r.get(from[i]);
                }
                out.add(Row.wrap(v));
            }
            batches.accept(out);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "InMemoryChangeSource" + Arrays.toString(tables.keySet().toArray());
    }
}
