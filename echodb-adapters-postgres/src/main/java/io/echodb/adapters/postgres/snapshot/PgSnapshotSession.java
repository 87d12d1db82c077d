package io.echodb.adapters.postgres.snapshot;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgQuoting;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;
import io.echodb.adapters.postgres.jdbc.PgSourceException;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.CopyRange;
import io.echodb.core.port.out.CopyReceiver;
import io.echodb.core.port.out.SnapshotSession;
import io.echodb.core.port.out.SourceTableChangedException;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.TableSchema;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
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
    private final RowEstimate estimate;
    private final CopyPlan copyPlan;
    private final CopyWorker worker;

    private PgSnapshotSession(PgConnectionFactory connections, PgReplicationConfig config, Connection exporter,
                              String slotName, Lsn consistentPoint, String snapshotName, int serverMajor) {
        this.connections = connections;
        this.config = config;
        this.exporter = exporter;
        this.slotName = slotName;
        this.consistentPoint = consistentPoint;
        this.snapshotName = snapshotName;
        this.serverMajor = serverMajor;
        this.estimate = new RowEstimate(connections);
        this.copyPlan = new CopyPlan(config, serverMajor);
        this.worker = new CopyWorker(config);
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

    /** Never-analyzed leaves up to this many pages (8 MiB at the default block size) are counted exactly. */
    static final long EXACT_COUNT_MAX_PAGES = RowEstimate.EXACT_COUNT_MAX_PAGES;

    /** See {@link RowEstimate#estimateRows}. */
    @Override
    public long estimateRows(TableRef table, List<CopyRange> finished) {
        return estimate.estimateRows(table, finished);
    }

    @Override
    public void copy(TableSchema described, Set<String> omitted, int parallelism, List<CopyRange> finished,
                     CopyReceiver batches) {
        Objects.requireNonNull(described, "schema");
        Objects.requireNonNull(batches, "batches");
        Objects.requireNonNull(finished, "finished");
        TableSchema schema = omitted.isEmpty() ? described : withoutColumns(described, omitted);
        if (closed) {
            throw new IllegalStateException("snapshot session is closed");
        }
        int workers = Math.max(1, parallelism);
        Connection first = null;
        try {
            first = workerConnection();
            List<CopyPlan.CopyItem> items = copyPlan.plan(first, described, schema, workers, finished);
            ConcurrentLinkedQueue<CopyPlan.CopyItem> work = new ConcurrentLinkedQueue<>(items);
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
            worker.work(first, schema, work, batches, failure);
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

    /**
     * How long a copy worker waits for its table's lock. Workers hold their lock (ACCESS SHARE) until the copy ends; a
     * worker asking for it behind an application's waiting DDL (ACCESS EXCLUSIVE, queued behind the workers that hold
     * it) would wait for the DDL, which waits for those workers, which wait for this one: the DDL fails on its own
     * lock timeout, or hangs (schema chaos seed 410764217: an {@code ALTER TABLE … DROP COLUMN} failed after 20 s).
     * Such a worker gives up instead and the whole copy steps aside: its transactions end, the DDL runs, the copy
     * starts again.
     */
    static final String COPY_LOCK_TIMEOUT = "1s";

    /** SQLSTATE lock_not_available: a lock wait ran out of {@link #COPY_LOCK_TIMEOUT}. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private Connection openWorkerConnection() throws SQLException {
        Connection c = connections.openDedicated();
        try (Statement st = c.createStatement()) {
            st.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            st.execute("SET TRANSACTION SNAPSHOT " + PgQuoting.literal(snapshotName));
            st.execute("SET LOCAL lock_timeout = " + PgQuoting.literal(COPY_LOCK_TIMEOUT));
            return c;
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private void workWithOwnConnection(TableSchema schema, ConcurrentLinkedQueue<CopyPlan.CopyItem> work,
                                       CopyReceiver batches, AtomicReference<Throwable> failure) {
        Connection c = null;
        try {
            c = openWorkerConnection();
            worker.work(c, schema, work, batches, failure);
            commitQuietly(c);
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        } finally {
            closeQuietly(c);
        }
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

    /** SQLSTATEs of a COPY that names a column or table the current catalog no longer has. */
    private static final Set<String> CHANGED_UNDER_THE_COPY = Set.of("42703", "42P01");

    /**
     * A COPY is parsed against the current catalog, not the snapshot's: DDL committed after the snapshot was taken (a
     * column dropped or renamed, the table dropped) makes it fail although the snapshot still holds the described
     * table. That is a table changed under the copy, which starts over from a fresh description; anything else is
     * translated as usual.
     */
    private static RuntimeException translate(TableRef table, SQLException e) {
        if (CHANGED_UNDER_THE_COPY.contains(e.getSQLState())) {
            return SourceTableChangedException.changedDuringCopy(table, e.getMessage());
        }
        if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
            return SourceUnavailableException.of("copy " + table + ": DDL waits for the table's lock, so the copy steps"
                    + " aside (its transactions end) and starts again", e);
        }
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
