package io.echodb.adapters.postgres.ddl;

import io.echodb.core.time.Backoff;
import io.echodb.adapters.postgres.jdbc.PgQuoting;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dedicated LISTEN connection used only as a wake-up signal; it reconnects with exponential backoff when it drops.
 * Losing it never loses events (they are in the outbox): after every (re)connection the caller simply reads again.
 * Not thread-safe: one reader thread uses it.
 */
final class NotificationListener implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NotificationListener.class);
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 10_000;
    /** After this long without any traffic the connection is probed, so a silently dead socket is noticed. */
    private static final long PROBE_AFTER_MS = 30_000;

    private final ConnectionFactory connections;
    private final String channel;
    private Connection connection;
    private final Backoff backoff = new Backoff(Duration.ofMillis(MIN_BACKOFF_MS), Duration.ofMillis(MAX_BACKOFF_MS));
    private long nextAttemptNanos;
    private long lastTrafficNanos;
    private int failedAttempts;
    private long connectCount;

    NotificationListener(ConnectionFactory connections, String channel) {
        this.connections = connections;
        this.channel = channel;
    }

    /**
     * Waits up to {@code timeout}. Returns true when the caller should read again now: a notification arrived, or the
     * connection was just (re)established and notifications may have been missed meanwhile.
     */
    boolean await(Duration timeout) {
        long timeoutMs = Math.max(1, timeout.toMillis());
        if (connection == null) {
            return reconnectOrSleep(timeoutMs);
        }
        try {
            PGNotification[] notes = connection.unwrap(PGConnection.class).getNotifications((int) Math.min(timeoutMs, Integer.MAX_VALUE));
            if (notes != null && notes.length > 0) {
                lastTrafficNanos = System.nanoTime();
                return true;
            }
            if (System.nanoTime() - lastTrafficNanos > PROBE_AFTER_MS * 1_000_000L) {
                try (Statement st = connection.createStatement()) {
                    st.execute("SELECT 1");
                }
                lastTrafficNanos = System.nanoTime();
            }
            return false;
        } catch (SQLException e) {
            LOG.warn("DDL LISTEN connection lost ({}); reconnecting", e.getMessage());
            closeConnection();
            nextAttemptNanos = System.nanoTime();
            return true;
        }
    }

    /** How many times a LISTEN connection was established (for tests and metrics). */
    long connectCount() {
        return connectCount;
    }

    private boolean reconnectOrSleep(long timeoutMs) {
        long waitMs = (nextAttemptNanos - System.nanoTime()) / 1_000_000L;
        if (waitMs > 0) {
            sleep(Math.min(waitMs, timeoutMs));
            return false;
        }
        Connection c = null;
        try {
            c = connections.connect();
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.execute("SET application_name = 'echodb-ddl-listener'");
                st.execute("LISTEN " + PgQuoting.ident(channel));
            }
            connection = c;
            connectCount++;
            lastTrafficNanos = System.nanoTime();
            if (failedAttempts > 0) {
                LOG.info("DDL LISTEN connection re-established after {} failed attempts", failedAttempts);
            }
            failedAttempts = 0;
            backoff.reset();
            return true;
        } catch (SQLException e) {
            closeQuietly(c);
            failedAttempts++;
            if (failedAttempts == 1) {
                LOG.warn("Cannot open the DDL LISTEN connection ({}); polling the outbox meanwhile", e.getMessage());
            } else {
                LOG.debug("DDL LISTEN reconnect attempt {} failed: {}", failedAttempts, e.getMessage());
            }
            long backoffMs = backoff.nextDelay().toMillis();
            nextAttemptNanos = System.nanoTime() + backoffMs * 1_000_000L;
            long slept = Math.min(backoffMs, timeoutMs);
            sleep(slept);
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeConnection() {
        closeQuietly(connection);
        connection = null;
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already broken
            }
        }
    }

    @Override
    public void close() {
        closeConnection();
    }
}
