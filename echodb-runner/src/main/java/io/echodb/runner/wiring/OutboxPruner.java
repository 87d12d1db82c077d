package io.echodb.runner.wiring;

import io.echodb.adapters.postgres.ddl.PgDdlEventSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the DDL outbox bounded: deletes acknowledged events older than the retention, keeping the newest ones for
 * diagnostics (DDL_OUTBOX_RETENTION, DDL_OUTBOX_KEEP). Runs on the leader; a failed sweep is logged and retried at the
 * next. Metrics: {@code echodb_ddl_outbox_pruned_total} and {@code echodb_ddl_outbox_events} (size after the last sweep).
 */
final class OutboxPruner {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxPruner.class);

    private final PgDdlEventSource outbox;
    private final Duration retention;
    private final int keep;
    private final Counter pruned;
    private final AtomicLong size = new AtomicLong(-1);

    OutboxPruner(PgDdlEventSource outbox, Duration retention, int keep, MeterRegistry registry) {
        this.outbox = outbox;
        this.retention = retention;
        this.keep = keep;
        this.pruned = Counter.builder("echodb_ddl_outbox_pruned").description("DDL events deleted from the outbox")
                .register(registry);
        Gauge.builder("echodb_ddl_outbox_events", size, AtomicLong::get)
                .description("DDL events in the outbox after the last prune (-1 before the first)").register(registry);
    }

    /** One sweep; returns how many events were deleted (0 when it failed). */
    synchronized int sweep() {
        try {
            int deleted = outbox.prune(retention, keep);
            pruned.increment(deleted);
            size.set(outbox.outboxSize());
            if (deleted > 0) {
                LOG.info("DDL outbox: deleted {} acknowledged event(s) older than {} ({} left)", deleted, retention, size.get());
            }
            return deleted;
        } catch (RuntimeException e) {
            LOG.warn("DDL outbox prune failed (retried at the next sweep): {}", e.getMessage());
            return 0;
        }
    }
}
