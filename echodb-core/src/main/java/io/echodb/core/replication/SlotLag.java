package io.echodb.core.replication;

import io.echodb.core.port.out.ReplicationSlot;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slot's lag in bytes as last read, refreshed at most once a second off the caller's thread: status reads (the
 * HTTP API) never wait on PostgreSQL. The last known value stays while the source cannot answer. Thread-safe.
 */
final class SlotLag {

    private static final Logger LOG = LoggerFactory.getLogger(SlotLag.class);
    private static final long CACHE_MILLIS = 1000;

    private final ReplicationSlot source;
    private final Clock clock;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile long bytes;
    private volatile long readAtMillis;
    private volatile boolean read;

    SlotLag(ReplicationSlot source, Clock clock) {
        this.source = source;
        this.clock = clock;
    }

    /** The last value read; starts a refresh when it is older than a second. Never blocks. */
    long bytes() {
        long now = clock.millis();
        if ((!read || now - readAtMillis >= CACHE_MILLIS || now < readAtMillis) && refreshing.compareAndSet(false, true)) {
            readAtMillis = now;
            read = true;
            Thread t = new Thread(this::refresh, "echodb-slot-lag");
            t.setDaemon(true);
            t.start();
        }
        return bytes;
    }

    private void refresh() {
        try {
            bytes = Math.max(0, source.lagBytes());
        } catch (RuntimeException e) {
            LOG.debug("could not read the slot lag: {}", e.toString());
        } finally {
            refreshing.set(false);
        }
    }
}
