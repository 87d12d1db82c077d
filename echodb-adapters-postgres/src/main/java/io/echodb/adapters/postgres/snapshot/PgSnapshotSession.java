package io.echodb.adapters.postgres.snapshot;

import io.echodb.adapters.postgres.decode.PgTextDecoders;
import io.echodb.adapters.postgres.decode.TextDecoder;
import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgQuoting;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;
import io.echodb.adapters.postgres.jdbc.PgSourceException;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.SnapshotSession;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.Row;
import io.echodb.core.port.SourceTableChangedException;
import io.echodb.core.schema.TableSchema;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exported snapshot taken by creating a temporary logical slot on a replication connection
 * ({@code CREATE_REPLICATION_SLOT … TEMPORARY LOGICAL pgoutput (SNAPSHOT 'export')}, or {@code EXPORT_SNAPSHOT}
 * before PostgreSQL 15). Its consistent point P orders it against the main slot's stream: every transaction that
 * committed before P is visible, none after. That connection stays idle until {@link #close()} (running anything
 * on it would end the export); closing it drops the temporary slot.
 *
 * <p>{@link #copy} reads tables with COPY text output inside {@code REPEATABLE READ} transactions that all import the
 * snapshot. From PostgreSQL 14 (TID range scans) a large table is split into CTID page ranges copied by parallel
 * workers; a partitioned root is copied leaf by leaf.
 */
public final class PgSnapshotSession implements SnapshotSession {

    private static final Logger LOG = LoggerFactory.getLogger(PgSnapshotSession.class);
    private static final Pattern SNAPSHOT_NAME = Pattern.compile("[0-9A-Fa-f-]+");

    private final PgConnectionFactory connections;
    private final PgReplicationConfig config;
    private final Connection exporter;
    private final String slotName;
    private final Lsn consistentPoint;
    private final String snapshotName;
    private final int serverMajor;
    private volatile boolean closed;
    private final AtomicReference<Connection> idleWorker = new AtomicReference<>();

    private PgSnapshotSession(PgConnectionFactory connections, PgReplicationConfig config, Connection exporter,
                              String slotName, Lsn consistentPoint, String snapshotName, int serverMajor) {
        this.connections = connections;
        this.config = config;
        this.exporter = exporter;
        this.slotName = slotName;
        this.consistentPoint = consistentPoint;
        this.snapshotName = snapshotName;
        this.serverMajor = serverMajor;
    }

    /** Creates the temporary slot and exported snapshot; the caller must {@link #close()} the session. */
    public static PgSnapshotSession open(PgConnectionFactory connections, PgReplicationConfig config) {
        String slot = temporarySlotName(config.slotName());
        Connection c = null;
        try {
            c = connections.openReplication();
            int major = c.getMetaData().getDatabaseMajorVersion();
            String sql = "CREATE_REPLICATION_SLOT " + PgQuoting.ident(slot) + " TEMPORARY LOGICAL pgoutput"
                    + (major >= 15 ? " (SNAPSHOT 'export')" : " EXPORT_SNAPSHOT");
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                Lsn point = Lsn.parse(rs.getString("consistent_point"));
                String name = rs.getString("snapshot_name");
                if (name == null || !SNAPSHOT_NAME.matcher(name).matches()) {
                    throw new IllegalStateException("unexpected snapshot name '" + name + "'");
                }
                LOG.info("exported snapshot {} at {} (temporary slot {})", name, point, slot);
                return new PgSnapshotSession(connections, config, c, slot, point, name, major);
            }
        } catch (SQLException e) {
            closeQuietly(c);
            if ("42501".equals(e.getSQLState())) {
                throw PgSourceException.missingReplicationPrivilege(connections.settings().user(), e);
            }
            throw PgSql.translate("export a snapshot", e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private static String temporarySlotName(String base) {
        String suffix = "_snap_" + Long.toHexString(new SecureRandom().nextLong() & 0xffffffffL);
        String prefix = base.length() + suffix.length() > 63 ? base.substring(0, 63 - suffix.length()) : base;
        return prefix + suffix;
    }

    @Override
    public Lsn consistentPoint() {
        return consistentPoint;
    }

    /** The exported snapshot's name (what {@code SET TRANSACTION SNAPSHOT} takes). */
    public String snapshotName() {
        return snapshotName;
    }

    /** Values (rows × columns) handed over per batch at most: about 5–10 MiB of decoded Java objects. */
    static final int MAX_VALUES_PER_BATCH = 250_000;

    /** Never-analyzed leaves up to this many pages (8 MiB at the default block size) are counted exactly. */
    static final long EXACT_COUNT_MAX_PAGES = 1024;

    /**
     * Rows of the table (the sum of its leaves for a partitioned one), from the first second: the statistics scaled to
     * the current size as the planner does; a never-analyzed leaf (a table just created and filled, the usual case
     * for auto-mirroring) is counted exactly when small and sampled (TABLESAMPLE SYSTEM, about 1,024 pages) when
     * large. Never "0" for a table that has rows.
     */
    @Override
    public long estimateRows(TableRef table) {
        try (Connection c = connections.open();
             // reltuples is -1 for a never-analyzed table (PostgreSQL 14+) and 0 for a partitioned root: look at the leaves
             PreparedStatement ps = c.prepareStatement("WITH RECURSIVE root AS ("
                     + " SELECT c.oid, c.relkind FROM pg_catalog.pg_class c"
                     + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                     + " WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')),"
                     + " tree(oid) AS (SELECT oid FROM root UNION ALL"
                     + " SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent = t.oid"
                     + " WHERE (SELECT relkind FROM root) = 'p')"
                     + " SELECT c.oid::regclass::text, c.reltuples, c.relpages,"
                     + " pg_catalog.pg_relation_size(c.oid) / current_setting('block_size')::int FROM tree t"
                     + " JOIN pg_catalog.pg_class c ON c.oid = t.oid WHERE c.relkind = 'r'")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            long total = 0;
            List<String> unanalyzed = new ArrayList<>();
            List<Long> unanalyzedPages = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double tuples = rs.getDouble(2);
                    long statPages = rs.getLong(3);
                    long pages = rs.getLong(4);
                    if (tuples >= 0 && statPages > 0) {
                        total += Math.round(tuples / statPages * pages);
                    } else if (tuples > 0 || pages == 0) {
                        total += Math.round(Math.max(tuples, 0));
                    } else {
                        unanalyzed.add(rs.getString(1));
                        unanalyzedPages.add(pages);
                    }
                }
            }
            for (int i = 0; i < unanalyzed.size(); i++) {
                total += countOrSample(c, unanalyzed.get(i), unanalyzedPages.get(i));
            }
            return Math.max(0, total);
        } catch (SQLException e) {
            throw PgSql.translate("estimate the rows of " + table, e);
        }
    }

    /** {@code relation}: a regclass text (already quoted as needed). */
    private static long countOrSample(Connection c, String relation, long pages) throws SQLException {
        double percent = pages <= EXACT_COUNT_MAX_PAGES ? 100 : Math.max(0.01, 100.0 * EXACT_COUNT_MAX_PAGES / pages);
        String sql = "SELECT count(*) FROM ONLY " + relation
                + (percent >= 100 ? "" : " TABLESAMPLE SYSTEM (" + String.format(java.util.Locale.ROOT, "%.4f", percent) + ")");
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return Math.round(rs.getLong(1) * 100.0 / percent);
        }
    }

    @Override
    public void copy(TableSchema described, Set<String> omitted, int parallelism, Consumer<List<Row>> batches) {
        Objects.requireNonNull(described, "schema");
        Objects.requireNonNull(batches, "batches");
        TableSchema schema = omitted.isEmpty() ? described : withoutColumns(described, omitted);
        if (closed) {
            throw new IllegalStateException("snapshot session is closed");
        }
        int workers = Math.max(1, parallelism);
        Connection first = null;
        try {
            first = workerConnection();
            List<CopyItem> items = plan(first, described, schema, workers);
            ConcurrentLinkedQueue<CopyItem> work = new ConcurrentLinkedQueue<>(items);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            int extra = Math.min(workers, items.size()) - 1;
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < extra; i++) {
                Thread t = new Thread(() -> workWithOwnConnection(schema, work, batches, failure),
                        "echodb-copy-" + schema.table().name() + "-" + (i + 1));
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            work(first, schema, work, batches, failure);
            for (Thread t : threads) {
                joinUninterruptibly(t);
            }
            Throwable f = failure.get();
            if (f != null) {
                throw rethrow(schema.table(), f);
            }
            keepForNextCopy(first);
            first = null;
        } catch (SQLException e) {
            throw translate(schema.table(), e);
        } finally {
            closeQuietly(first);
        }
    }

    /** Live rows of {@code table} (all partitions of a partitioned root) in the exported snapshot. */
    public long count(TableRef table) {
        try (Connection c = openWorkerConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + PgSql.quote(table))) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                throw PgSourceException.tableNotFound(table.qualified());
            }
            throw PgSql.translate("count the rows of " + table + " in snapshot " + snapshotName, e);
        }
    }

    /**
     * A connection already reading the snapshot: the one the previous copy of this session left (a burst of new tables
     * is copied from one session, and opening a connection cost more than copying a small table), else a new one.
     */
    private Connection workerConnection() throws SQLException {
        Connection spare = idleWorker.getAndSet(null);
        return spare != null ? spare : openWorkerConnection();
    }

    /** Keeps {@code c} (its snapshot transaction still open, no statement running) for the next copy. */
    private void keepForNextCopy(Connection c) {
        if (closed || !idleWorker.compareAndSet(null, c)) {
            commitQuietly(c);
            closeQuietly(c);
        } else if (closed) {
            releaseIdleWorker(); // closed meanwhile: close() may have looked before the connection was kept
        }
    }

    private void releaseIdleWorker() {
        Connection c = idleWorker.getAndSet(null);
        if (c != null) {
            commitQuietly(c);
            closeQuietly(c);
        }
    }

    private Connection openWorkerConnection() throws SQLException {
        Connection c = connections.openDedicated();
        try (Statement st = c.createStatement()) {
            st.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            st.execute("SET TRANSACTION SNAPSHOT " + PgQuoting.literal(snapshotName));
            return c;
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** Work items: CTID ranges of large leaves (PostgreSQL 14+), whole leaves otherwise. */
    private List<CopyItem> plan(Connection c, TableSchema schema, TableSchema read, int workers) throws SQLException {
        TableRef table = schema.table();
        String columns = columnList(read);
        long oid;
        char relkind;
        try (PreparedStatement ps = c.prepareStatement("SELECT c.oid::bigint, c.relkind FROM pg_catalog.pg_class c"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?"
                + " AND c.relkind IN ('r', 'p')")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw PgSourceException.tableNotFound(table.qualified());
                }
                oid = rs.getLong(1);
                relkind = rs.getString(2).charAt(0);
            }
        }
        checkSameTable(c, schema, oid);
        List<Leaf> leaves = new ArrayList<>();
        boolean onlyPlainLeaves = true;
        try (PreparedStatement ps = c.prepareStatement("WITH RECURSIVE tree(oid) AS (SELECT ?::oid UNION ALL"
                + " SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent = t.oid)"
                + " SELECT n.nspname, c.relname, c.relkind,"
                + " pg_catalog.pg_relation_size(c.oid) / current_setting('block_size')::bigint"
                + " FROM tree t JOIN pg_catalog.pg_class c ON c.oid = t.oid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + (relkind == 'r' ? " WHERE c.oid = ?::oid" : " WHERE c.relkind NOT IN ('p')"))) {
            ps.setLong(1, oid);
            if (relkind == 'r') {
                ps.setLong(2, oid);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    char kind = rs.getString(3).charAt(0);
                    if (kind != 'r') {
                        onlyPlainLeaves = false;
                    }
                    leaves.add(new Leaf(new TableRef(rs.getString(1), rs.getString(2)), rs.getLong(4)));
                }
            }
        }
        List<CopyItem> items = new ArrayList<>();
        if (!onlyPlainLeaves) {
            // e.g. a foreign-table partition: let the executor read the whole partitioned table
            items.add(new CopyItem("COPY (SELECT " + columns + " FROM " + PgSql.quote(table) + ") TO STDOUT",
                    table.qualified()));
            return items;
        }
        boolean ranges = serverMajor >= 14 && workers > 1;
        for (Leaf leaf : leaves) {
            long min = config.minPagesPerCopyRange();
            if (!ranges || leaf.pages < 2 * min) {
                items.add(new CopyItem("COPY " + PgSql.quote(leaf.table) + " (" + columns + ") TO STDOUT",
                        leaf.table.qualified()));
                continue;
            }
            long size = Math.max(min, (leaf.pages + workers * 4L - 1) / (workers * 4L));
            for (long start = 0; start < leaf.pages; start += size) {
                long end = start + size;
                // the last range is open-ended so pages added after the size was measured are still covered
                String where = " WHERE ctid >= '(" + start + ",0)'::tid"
                        + (end < leaf.pages ? " AND ctid < '(" + end + ",0)'::tid" : "");
                items.add(new CopyItem("COPY (SELECT " + columns + " FROM ONLY " + PgSql.quote(leaf.table) + where
                        + ") TO STDOUT", leaf.table.qualified() + " pages " + start + ".."
                        + (end < leaf.pages ? end : "end")));
            }
        }
        LOG.debug("copy plan for {}: {} item(s) over {} leaf table(s)", table, items.size(), leaves.size());
        return items;
    }

    private void workWithOwnConnection(TableSchema schema, ConcurrentLinkedQueue<CopyItem> work,
                                       Consumer<List<Row>> batches, AtomicReference<Throwable> failure) {
        Connection c = null;
        try {
            c = openWorkerConnection();
            work(c, schema, work, batches, failure);
            commitQuietly(c);
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        } finally {
            closeQuietly(c);
        }
    }

    private void work(Connection c, TableSchema schema, ConcurrentLinkedQueue<CopyItem> work,
                      Consumer<List<Row>> batches, AtomicReference<Throwable> failure) {
        try {
            List<Column> cols = schema.columns();
            TextDecoder[] decoders = new TextDecoder[cols.size()];
            String[] names = new String[cols.size()];
            for (int i = 0; i < decoders.length; i++) {
                decoders[i] = PgTextDecoders.forType(cols.get(i).type());
                names[i] = schema.table() + "." + cols.get(i).name();
            }
            CopyTextParser parser = new CopyTextParser(decoders, names);
            // Batches are bounded in values, not only rows: a 1,000-column table fills memory long before 5,000 rows.
            int batchRows = Math.max(1, Math.min(config.copyBatchRows(), MAX_VALUES_PER_BATCH / Math.max(1, cols.size())));
            CopyItem item;
            while (failure.get() == null && (item = work.poll()) != null) {
                LOG.debug("copying {}", item.description);
                List<Row>[] batch = newBatch(batchRows);
                CopyOut out = c.unwrap(PGConnection.class).getCopyAPI().copyOut(item.sql);
                try {
                    byte[] chunk;
                    while ((chunk = out.readFromCopy()) != null) {
                        parser.feed(chunk, values -> {
                            batch[0].add(Row.wrap(values));
                            if (batch[0].size() >= batchRows) {
                                batches.accept(batch[0]);
                                batch[0] = new ArrayList<>(batchRows);
                            }
                        });
                        if (failure.get() != null) {
                            out.cancelCopy();
                            return;
                        }
                    }
                    parser.finish();
                } finally {
                    if (out.isActive()) {
                        out.cancelCopy();
                    }
                }
                if (!batch[0].isEmpty()) {
                    batches.accept(batch[0]);
                }
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    @SuppressWarnings("unchecked")
    /**
     * The snapshot must hold the table that {@code schema} describes: the same relation (not a table dropped and
     * created again under the name) with the same column names and types, or copied values would land in the wrong
     * generation or under another shape (a column added before the snapshot would be copied as NULL).
     */
    private static void checkSameTable(Connection c, TableSchema schema, long oid) throws SQLException {
        if (schema.relationId() != TableSchema.UNKNOWN_RELATION && schema.relationId() != oid) {
            throw SourceTableChangedException.replaced(schema.table(), schema.relationId(), oid);
        }
        List<String> inSnapshot = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)"
                + " FROM pg_catalog.pg_attribute a WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped"
                + (c.getMetaData().getDatabaseMajorVersion() >= 12 ? " AND a.attgenerated = ''" : "")
                + " ORDER BY a.attnum")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inSnapshot.add(rs.getString(1) + " " + rs.getString(2));
                }
            }
        }
        List<String> described = new ArrayList<>();
        for (var column : schema.columns()) {
            described.add(column.name() + " " + column.sourceType());
        }
        if (!described.equals(inSnapshot)) {
            throw SourceTableChangedException.reshaped(schema.table(), described, inSnapshot);
        }
    }

    private static List<Row>[] newBatch(int rows) {
        List<Row>[] holder = new List[1];
        holder[0] = new ArrayList<>(rows);
        return holder;
    }

    /** The columns a copy reads: the described ones but {@code omitted}; the key stays as described. */
    private static TableSchema withoutColumns(TableSchema schema, Set<String> omitted) {
        List<Column> kept = new ArrayList<>();
        for (Column c : schema.columns()) {
            if (!omitted.contains(c.name())) {
                kept.add(c);
            }
        }
        List<String> key = new ArrayList<>(schema.keyColumns());
        key.removeAll(omitted);
        return new TableSchema(schema.table(), kept, key, schema.identity(), schema.relationId(), schema.sourceProblem());
    }

    private static String columnList(TableSchema schema) {
        StringBuilder sb = new StringBuilder();
        for (Column c : schema.columns()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(PgQuoting.ident(c.name()));
        }
        return sb.toString();
    }

    private static RuntimeException rethrow(TableRef table, Throwable f) {
        if (f instanceof SQLException e) {
            return translate(table, e);
        }
        if (f instanceof RuntimeException r) {
            return r;
        }
        if (f instanceof Error err) {
            throw err;
        }
        return new IllegalStateException("copy of " + table + " failed", f);
    }

    private static RuntimeException translate(TableRef table, SQLException e) {
        return PgSql.translate("copy " + table + " from the snapshot", e);
    }

    private static void commitQuietly(Connection c) {
        try (Statement st = c.createStatement()) {
            st.execute("COMMIT");
        } catch (SQLException ignored) {
            // read-only transaction: nothing to lose
        }
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        releaseIdleWorker();
        closeQuietly(exporter);
        LOG.debug("released snapshot {} (temporary slot {})", snapshotName, slotName);
    }

    private record Leaf(TableRef table, long pages) {
    }

    private record CopyItem(String sql, String description) {
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing after a failure: the first error matters
            }
        }
    }
}
