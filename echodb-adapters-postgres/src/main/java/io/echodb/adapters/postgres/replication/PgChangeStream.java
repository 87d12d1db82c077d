package io.echodb.adapters.postgres.replication;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgQuoting;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.adapters.postgres.jdbc.PgSourceException;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;

import io.echodb.adapters.postgres.decode.PgOutputDecoder;
import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.port.out.ChangeStream;
import io.echodb.core.port.out.SlotInvalidatedException;
import io.echodb.core.port.out.SourceUnavailableException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pgoutput stream read by a dedicated thread that owns the {@link PGReplicationStream} (pgjdbc's stream is not
 * thread-safe). The reader decodes messages into a bounded queue; while the queue is full it keeps answering the
 * server (status updates every feedback interval) so a slow consumer never gets the walsender killed by
 * wal_sender_timeout. Acknowledgements from any thread are handed to the reader, which reports them as flushed and
 * applied. Idle streams emit a {@link ChangeEvent.Keepalive} at most once per keepalive interval, only between
 * transactions. A failure of the reader surfaces on the consumer's next {@link #poll} as
 * {@link SourceUnavailableException}.
 */
final class PgChangeStream implements ChangeStream {

    private static final Logger LOG = LoggerFactory.getLogger(PgChangeStream.class);

    private final String slot;
    private final PgReplicationConfig config;
    private final Connection replication;
    private final PGReplicationStream stream;
    private final CatalogRelationResolver resolver;
    private final PgOutputDecoder decoder;
    /** Events travel in small batches: one hand-over per batch instead of one per event keeps both threads busy. */
    private final BlockingQueue<ChangeEvent[]> queue;
    private final int batchSize;
    private final AtomicLong acknowledged = new AtomicLong();
    private final Thread reader;
    private volatile Throwable failure;
    private volatile boolean closed;

    // consumer-thread state
    private ChangeEvent[] current = new ChangeEvent[0];
    private int currentIndex;

    // reader-thread state
    private ChangeEvent[] pending;
    private int pendingCount;
    private long ackSent;
    private long lastFeedbackNanos = System.nanoTime();
    private long lastEventNanos = System.nanoTime();

    private PgChangeStream(PgConnectionFactory connections, PgReplicationConfig config, Connection replication,
                           PGReplicationStream stream) {
        this.slot = config.slotName();
        this.config = config;
        this.replication = replication;
        this.stream = stream;
        this.resolver = new CatalogRelationResolver(connections);
        this.decoder = new PgOutputDecoder(resolver);
        this.batchSize = Math.max(1, Math.min(256, config.queueCapacity() / 4));
        this.queue = new ArrayBlockingQueue<>(Math.max(1, config.queueCapacity() / batchSize));
        this.pending = new ChangeEvent[batchSize];
        this.reader = new Thread(this::run, "echodb-pgoutput-" + slot);
        this.reader.setDaemon(true);
    }

    /**
     * Opens the replication connection and starts streaming from {@code from}; the server never starts before the
     * slot's confirmed position. Waits up to the slot-busy timeout for a previous walsender to let go of the slot.
     */
    static PgChangeStream open(PgConnectionFactory connections, PgReplicationConfig config, Lsn from) {
        long deadline = System.nanoTime() + config.slotBusyTimeout().toNanos();
        while (true) {
            Connection c = null;
            try {
                c = connections.openReplication();
                var builder = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                        .withSlotName(PgQuoting.ident(config.slotName()))
                        .withStartPosition(LogSequenceNumber.valueOf(from.value()))
                        .withSlotOption("proto_version", "1")
                        .withSlotOption("publication_names", PgQuoting.ident(config.publicationName()));
                if (c.getMetaData().getDatabaseMajorVersion() >= 14) {
                    // the DDL capture's stream markers (RENAME COLUMN in place); it emits them only on 14 and later too
                    builder = builder.withSlotOption("messages", "true");
                }
                PGReplicationStream s = builder
                        .withStatusInterval((int) Math.max(1, config.feedbackInterval().toMillis()), TimeUnit.MILLISECONDS)
                        .start();
                PgChangeStream ps = new PgChangeStream(connections, config, c, s);
                ps.reader.start();
                LOG.info("streaming slot {} (publication {}) from {}", config.slotName(), config.publicationName(), from);
                return ps;
            } catch (SQLException e) {
                PgConnectionFactory.closeQuietly(c);
                // an interrupt is the engine closing: stop waiting for the slot instead of opening a stream nobody reads
                if ("55006".equals(e.getSQLState()) && System.nanoTime() < deadline
                        && !Thread.currentThread().isInterrupted()) {
                    // Another walsender holds the slot: a just-closed stream of ours, or the stream of a leader that
                    // lost its lease while stalled (it holds the slot until wal_sender_timeout). Only the current
                    // leader opens streams, so it takes the slot over rather than wait.
                    takeOver(connections, config.slotName());
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                    continue;
                }
                if ("42501".equals(e.getSQLState())) {
                    throw PgSourceException.missingReplicationPrivilege(connections.settings().user(), e);
                }
                if (invalidated(e)) {
                    throw SlotInvalidatedException.of(config.slotName(), e);
                }
                throw PgSql.translate("start streaming from replication slot " + config.slotName(), e);
            }
        }
    }

    /** "can no longer get changes from replication slot …: This slot has been invalidated because …" (55000). */
    private static boolean invalidated(SQLException e) {
        String message = String.valueOf(e.getMessage());
        return "55000".equals(e.getSQLState()) && (message.contains("invalidated") || message.contains("can no longer get changes"));
    }

    @Override
    public Optional<ChangeEvent> poll(Duration timeout) {
        if (closed) {
            throw new IllegalStateException("stream of slot " + slot + " is closed");
        }
        throwIfFailed();
        if (currentIndex < current.length) {
            return Optional.of(next());
        }
        try {
            ChangeEvent[] batch = queue.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            if (batch == null) {
                throwIfFailed();
                return Optional.empty();
            }
            current = batch;
            currentIndex = 0;
            return Optional.of(next());
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public void acknowledge(Lsn flushed) {
        acknowledged.accumulateAndGet(flushed.value(), (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reader.isAlive()) {
            // the reader is stuck in I/O: pull the connection from under it
            PgConnectionFactory.closeQuietly(replication);
        }
    }

    private static void takeOver(PgConnectionFactory connections, String slot) {
        try (Connection c = connections.open();
             PreparedStatement ps = c.prepareStatement("SELECT active_pid, pg_catalog.pg_terminate_backend(active_pid)"
                     + " FROM pg_catalog.pg_replication_slots WHERE slot_name = ? AND active_pid IS NOT NULL"
                     + " AND active_pid <> pg_catalog.pg_backend_pid()")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    LOG.warn("replication slot {} was held by backend {} (an earlier stream, maybe a previous leader's);"
                            + " ended it to take the slot over (terminated: {})", slot, rs.getInt(1), rs.getBoolean(2));
                }
            }
        } catch (SQLException e) {
            LOG.debug("could not end the walsender holding slot {}: {}", slot, e.toString());
        }
    }

    private ChangeEvent next() {
        ChangeEvent e = current[currentIndex];
        current[currentIndex++] = null;
        return e;
    }

    private void throwIfFailed() {
        Throwable f = failure;
        if (f != null) {
            throw SourceUnavailableException.of("stream changes from replication slot " + slot, f);
        }
    }

    private void run() {
        try {
            while (!closed) {
                sendAcknowledgement();
                ByteBuffer msg = stream.readPending();
                if (msg == null) {
                    // nothing more right now: hand over what was decoded so far, then idle
                    flush();
                    idle();
                    continue;
                }
                ChangeEvent event = decode(msg);
                if (event != null) {
                    pending[pendingCount++] = event;
                    if (pendingCount == batchSize) {
                        flush();
                    }
                }
            }
            sendAcknowledgement();
        } catch (Throwable t) {
            if (!closed) {
                LOG.warn("replication stream of slot {} failed: {}", slot, t.toString());
                failure = t;
            }
        } finally {
            resolver.close();
            PgConnectionFactory.closeQuietly(replication);
        }
    }

    private ChangeEvent decode(ByteBuffer msg) {
        if (msg.hasArray()) {
            return decoder.decode(msg.array(), msg.arrayOffset() + msg.position(), msg.remaining());
        }
        byte[] copy = new byte[msg.remaining()];
        msg.get(copy);
        return decoder.decode(copy, 0, copy.length);
    }

    /** Nothing to read: maybe tell the consumer how far the server has got, then wait a moment. */
    private void idle() {
        long now = System.nanoTime();
        if (!decoder.inTransaction() && now - lastEventNanos >= config.keepaliveInterval().toNanos()) {
            LogSequenceNumber received = stream.getLastReceiveLSN();
            if (received.asLong() != 0
                    && queue.offer(new ChangeEvent[] {new ChangeEvent.Keepalive(Lsn.of(received.asLong()))})) {
                lastEventNanos = now;
            }
        }
        // readPending already waits about a millisecond for data; a short park keeps an idle stream cheap
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }

    /** Hands the pending batch over with backpressure, keeping the server connection alive and acks flowing meanwhile. */
    private void flush() throws SQLException, InterruptedException {
        if (pendingCount == 0) {
            return;
        }
        ChangeEvent[] batch = pendingCount == pending.length ? pending : java.util.Arrays.copyOf(pending, pendingCount);
        pending = new ChangeEvent[batchSize];
        pendingCount = 0;
        while (!queue.offer(batch, 100, TimeUnit.MILLISECONDS)) {
            if (closed) {
                return;
            }
            sendAcknowledgement();
            long now = System.nanoTime();
            if (now - lastFeedbackNanos >= config.feedbackInterval().toNanos()) {
                stream.forceUpdateStatus();
                lastFeedbackNanos = now;
            }
        }
        lastEventNanos = System.nanoTime();
    }

    private void sendAcknowledgement() throws SQLException {
        long ack = acknowledged.get();
        if (ack != ackSent) {
            LogSequenceNumber lsn = LogSequenceNumber.valueOf(ack);
            stream.setFlushedLSN(lsn);
            stream.setAppliedLSN(lsn);
            stream.forceUpdateStatus();
            ackSent = ack;
            lastFeedbackNanos = System.nanoTime();
        }
    }
}
