package io.echodb.adapters.postgres.ddl;

import io.echodb.core.time.Backoff;
import io.echodb.core.model.DdlEvent;
import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.DdlEventSource;
import io.echodb.core.port.out.SourceUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads DDL events from the outbox written by the event triggers {@link DdlCaptureInstaller} installs.
 *
 * <p>Reading takes the outbox's barrier lock exclusively without waiting; writers hold it shared from taking a position
 * until they commit. So a read only happens while no position is in flight, and a position returned is never followed
 * later by a smaller one that committed late (what a plain {@code position > cursor} read of a sequence-fed table would
 * miss). While a DDL transaction is open, reads wait for it (briefly retried, woken by its commit's notification).
 *
 * <p>When the outbox is empty after the cursor, {@code read} waits on a dedicated LISTEN connection (woken by the
 * triggers' {@code pg_notify}) and polls at least every {@link DdlSourceSettings#pollInterval()}; the LISTEN connection
 * reconnects with backoff. Thread-safe; one thread reads at a time.
 */
public final class PgDdlEventSource implements DdlEventSource, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PgDdlEventSource.class);
    private static final long MIN_BLOCKED_WAIT_MS = 10;

    private final ConnectionFactory connections;
    private final DdlSourceSettings settings;
    private final DdlCaptureScript names;
    private final int[] barrier;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock queryLock = new ReentrantLock();
    private final NotificationListener listener;
    private Connection queryConnection;
    /** Positions (skipFrom, skipThrough] hold only events this source filters out; a read from inside jumps past them. */
    private long skipFrom = -1;
    private long skipThrough = -1;

    public PgDdlEventSource(ConnectionFactory connections, DdlSourceSettings settings) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.names = new DdlCaptureScript(settings.capture());
        this.barrier = settings.capture().barrierLockKeys();
        this.listener = new NotificationListener(connections, settings.capture().notifyChannel());
    }

    @Override
    public List<DdlEvent> read(long afterPosition, int max, Duration maxWait) {
        if (afterPosition < 0) {
            throw InvalidValueException.of("DDL read position", afterPosition, "must be >= 0");
        }
        if (max <= 0) {
            throw InvalidValueException.of("DDL read batch size", max, "must be > 0");
        }
        if (maxWait == null || maxWait.isNegative()) {
            throw InvalidValueException.of("DDL read wait", maxWait, "must be >= 0");
        }
        readLock.lock();
        try {
            return readLocked(afterPosition, max, maxWait);
        } finally {
            readLock.unlock();
        }
    }

    private List<DdlEvent> readLocked(long after, int max, Duration maxWait) {
        long deadline = System.nanoTime() + maxWait.toNanos();
        long cursor = skipFrom <= after && after < skipThrough ? skipThrough : after;
        Backoff blockedWait = new Backoff(Duration.ofMillis(MIN_BLOCKED_WAIT_MS),
                Duration.ofMillis(Math.max(MIN_BLOCKED_WAIT_MS, settings.pollInterval().toMillis())));
        while (true) {
            Batch batch = fetch(cursor, max);
            if (batch.blocked()) {
                long remainingMs = (deadline - System.nanoTime()) / 1_000_000L;
                if (remainingMs <= 0 || Thread.currentThread().isInterrupted()) {
                    return List.of();
                }
                listener.await(Duration.ofMillis(Math.min(blockedWait.nextDelay().toMillis(), remainingMs)));
                continue;
            }
            blockedWait.reset();
            List<DdlEvent> events = new ArrayList<>();
            for (OutboxRow row : batch.rows()) {
                DdlEvent e = toEvent(row);
                if (e != null) {
                    events.add(e);
                }
            }
            if (!batch.rows().isEmpty()) {
                long lastScanned = batch.rows().get(batch.rows().size() - 1).position();
                long lastReturned = events.isEmpty() ? after : events.get(events.size() - 1).position();
                if (lastScanned > lastReturned) {
                    skipFrom = lastReturned;
                    skipThrough = lastScanned;
                }
                if (!events.isEmpty()) {
                    return events;
                }
                cursor = lastScanned; // only filtered events: keep going without waiting
                continue;
            }
            long remainingMs = (deadline - System.nanoTime()) / 1_000_000L;
            if (remainingMs <= 0 || Thread.currentThread().isInterrupted()) {
                return List.of();
            }
            listener.await(Duration.ofMillis(Math.min(remainingMs, settings.pollInterval().toMillis())));
        }
    }

    @Override
    public long acknowledgedPosition() {
        return withQueryConnection("read the DDL cursor", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT position FROM " + names.qualified(DdlCaptureScript.CURSOR) + " WHERE consumer = ?")) {
                ps.setString(1, settings.consumer());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    @Override
    public void acknowledge(long position) {
        if (position < 0) {
            throw InvalidValueException.of("DDL acknowledged position", position, "must be >= 0");
        }
        withQueryConnection("acknowledge DDL events", c -> {
            String cursor = names.qualified(DdlCaptureScript.CURSOR);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + cursor + " AS k (consumer, position) VALUES (?, ?) "
                    + "ON CONFLICT (consumer) DO UPDATE SET position = GREATEST(k.position, EXCLUDED.position), updated_at = now()")) {
                ps.setString(1, settings.consumer());
                ps.setLong(2, position);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Deletes events older than {@code olderThan} that every consumer has acknowledged (positions up to the smallest
     * cursor), except the {@code keepLatest} newest events; returns how many were deleted. Nothing is deleted while no
     * consumer has a cursor.
     */
    public int prune(Duration olderThan, int keepLatest) {
        if (olderThan == null || olderThan.isNegative()) {
            throw InvalidValueException.of("DDL prune age", olderThan, "must be >= 0");
        }
        if (keepLatest < 0) {
            throw InvalidValueException.of("DDL events to keep", keepLatest, "must be >= 0");
        }
        String outbox = names.qualified(DdlCaptureScript.OUTBOX);
        return withQueryConnection("prune the DDL outbox", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + outbox
                    + " WHERE position <= (SELECT min(position) FROM " + names.qualified(DdlCaptureScript.CURSOR) + ")"
                    + " AND occurred_at < now() - make_interval(secs => ?)"
                    + " AND position < coalesce((SELECT min(position) FROM (SELECT position FROM " + outbox
                    + " ORDER BY position DESC LIMIT ?) newest), 9223372036854775807)")) {
                ps.setDouble(1, olderThan.toMillis() / 1000.0);
                ps.setInt(2, keepLatest);
                return ps.executeUpdate();
            }
        });
    }

    /** How many events the outbox holds now. */
    public long outboxSize() {
        return withQueryConnection("count the DDL outbox", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + names.qualified(DdlCaptureScript.OUTBOX));
                 java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** How many times the LISTEN connection was (re)established; for tests and metrics. */
    public long listenConnectCount() {
        readLock.lock();
        try {
            return listener.connectCount();
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public void close() {
        readLock.lock();
        try {
            listener.close();
        } finally {
            readLock.unlock();
        }
        queryLock.lock();
        try {
            closeQueryConnection();
        } finally {
            queryLock.unlock();
        }
    }

    // ------------------------------------------------------------------ outbox access

    private record OutboxRow(long position, String type, String schema, String table, String oldSchema, String oldName,
                             boolean partition, Instant at, String commandTag) { }

    private record Batch(boolean blocked, List<OutboxRow> rows) { }

    private Batch fetch(long after, int max) {
        return withQueryConnection("read the DDL outbox", c -> {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT pg_try_advisory_xact_lock(" + barrier[0] + ", " + barrier[1] + ")")) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        c.rollback();
                        return new Batch(true, List.of());
                    }
                }
                List<OutboxRow> rows = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT position, event_type, schema_name, table_name, old_schema, "
                        + "old_name, is_partition, occurred_at, command_tag FROM " + names.qualified(DdlCaptureScript.OUTBOX)
                        + " WHERE position > ? ORDER BY position LIMIT ?")) {
                    ps.setLong(1, after);
                    ps.setInt(2, max);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rows.add(new OutboxRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                    rs.getString(5), rs.getString(6), rs.getBoolean(7),
                                    rs.getObject(8, OffsetDateTime.class).toInstant(), rs.getString(9)));
                        }
                    }
                }
                c.commit();
                return new Batch(false, rows);
            } catch (SQLException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                if (!c.isClosed()) {
                    c.setAutoCommit(true);
                }
            }
        });
    }

    /** The event for an outbox row, or null when this source leaves it out (partitions, unknown kinds, odd names). */
    private DdlEvent toEvent(OutboxRow row) {
        if (row.partition() && !settings.includePartitions()) {
            return null;
        }
        try {
            TableRef table = TableRef.of(row.schema(), row.table());
            return switch (row.type()) {
                case "created" -> new DdlEvent.TableCreated(row.position(), table, row.at());
                case "dropped" -> new DdlEvent.TableDropped(row.position(), table, row.at());
                case "altered" -> new DdlEvent.TableAltered(row.position(), table, row.at());
                case "rewritten" -> new DdlEvent.TableRewritten(row.position(), table, row.at(), row.commandTag());
                case "renamed" -> row.oldSchema() == null || row.oldName() == null
                        ? new DdlEvent.TableAltered(row.position(), table, row.at())
                        : new DdlEvent.TableRenamed(row.position(), TableRef.of(row.oldSchema(), row.oldName()), table, row.at());
                default -> {
                    LOG.warn("Skipping DDL outbox row {} with unknown event type '{}'", row.position(), row.type());
                    yield null;
                }
            };
        } catch (InvalidValueException e) {
            LOG.warn("Skipping DDL outbox row {}: {}", row.position(), e.getMessage());
            return null;
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} on the query connection, reconnecting once if the connection turns out to be broken (all work
     * here is idempotent). Unreachable database: {@link SourceUnavailableException}; missing outbox:
     * {@link DdlCaptureNotInstalledException}.
     */
    private <T> T withQueryConnection(String what, SqlWork<T> work) {
        queryLock.lock();
        try {
            for (int attempt = 1; ; attempt++) {
                boolean fresh = queryConnection == null;
                Connection c = queryConnection();
                try {
                    return work.run(c);
                } catch (SQLException e) {
                    if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                        throw DdlCaptureNotInstalledException.of(settings.capture().schema(), e);
                    }
                    boolean broken = isBroken(c, e);
                    if (broken) {
                        closeQueryConnection();
                    }
                    if (!broken || fresh || attempt > 1) {
                        throw DdlCaptureInstaller.failure(what, e);
                    }
                    LOG.info("DDL reader connection lost ({}); reconnecting", e.getMessage());
                }
            }
        } finally {
            queryLock.unlock();
        }
    }

    private Connection queryConnection() {
        if (queryConnection == null) {
            try {
                Connection c = connections.connect();
                c.setAutoCommit(true);
                try (Statement st = c.createStatement()) {
                    st.execute("SET application_name = 'echodb-ddl-reader'");
                    // a reader that stalls between taking the barrier lock and committing (client paused, network
                    // gone) must not hold up the users' DDL for long: the server ends such a transaction
                    st.execute("SET idle_in_transaction_session_timeout = '10s'");
                }
                queryConnection = c;
            } catch (SQLException e) {
                throw SourceUnavailableException.of("connect to read DDL events", e);
            }
        }
        return queryConnection;
    }

    private static boolean isBroken(Connection c, SQLException e) {
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
            return true;
        }
        try {
            return c.isClosed();
        } catch (SQLException ex) {
            return true;
        }
    }

    private void closeQueryConnection() {
        if (queryConnection != null) {
            try {
                queryConnection.close();
            } catch (SQLException ignored) {
                // broken anyway
            }
            queryConnection = null;
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            if (!c.isClosed()) {
                c.rollback();
            }
        } catch (SQLException ignored) {
            // the connection is dropped by the caller if broken
        }
    }
}
