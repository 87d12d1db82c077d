package io.echodb.runner.wiring;

import io.echodb.adapters.postgres.replication.PgSlotWatch;
import io.echodb.adapters.postgres.replication.PgSlotWatch.SlotState;
import io.echodb.runner.http.ReadinessReport.Check;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the native engine's replication slot (the WAL it keeps PostgreSQL from removing) for operators: gauges
 * {@code echodb_slot_retained_wal_bytes}, {@code echodb_slot_safe_wal_bytes} (NaN without a limit) and
 * {@code echodb_slot_wal_status} (0 reserved, 1 extended, 2 unreserved, 3 lost, -1 no slot), a readiness check whose
 * detail warns above SLOT_WAL_WARN_BYTES, and a log line when the warning starts. An invalidated slot ({@code lost})
 * fails the check until the engine has created it again (it can never stream again), saying so in one line.
 */
final class SlotMonitor {

    private static final Logger LOG = LoggerFactory.getLogger(SlotMonitor.class);
    private static final Map<String, Integer> STATUS_CODES = Map.of("reserved", 0, "extended", 1, "unreserved", 2, "lost", 3);

    private final String slotName;
    private final Supplier<SlotState> reader;
    private final long warnBytes;
    private final AtomicReference<SlotState> last = new AtomicReference<>();
    private volatile String readFailure;
    private volatile boolean warned;

    SlotMonitor(PgSlotWatch watch, long warnBytes, MeterRegistry registry) {
        this(watch.slotName(), watch::read, warnBytes, registry);
    }

    SlotMonitor(String slotName, Supplier<SlotState> reader, long warnBytes, MeterRegistry registry) {
        this.slotName = slotName;
        this.reader = reader;
        this.warnBytes = warnBytes;
        Gauge.builder("echodb_slot_retained_wal_bytes", last, r -> r.get() == null ? Double.NaN : r.get().retainedBytes())
                .description("WAL bytes the replication slot keeps PostgreSQL from removing").register(registry);
        Gauge.builder("echodb_slot_safe_wal_bytes", last, r -> r.get() == null || r.get().safeWalBytes() == null
                        ? Double.NaN : r.get().safeWalBytes())
                .description("WAL bytes that can still be written before the slot is invalidated (NaN: no limit)")
                .register(registry);
        Gauge.builder("echodb_slot_wal_status", last, r -> r.get() == null ? Double.NaN : statusCode(r.get()))
                .description("0 reserved, 1 extended, 2 unreserved, 3 lost (invalidated), -1 no slot").register(registry);
    }

    /** The slot as last read; empty before the first successful read. */
    java.util.Optional<SlotState> last() {
        return java.util.Optional.ofNullable(last.get());
    }

    String slotName() {
        return slotName;
    }

    /** Reads the slot once; failures are kept for the readiness detail and retried at the next sweep. */
    void sweep() {
        try {
            SlotState s = reader.get();
            last.set(s);
            readFailure = null;
            boolean over = s.retainedBytes() > warnBytes;
            if (over && !warned) {
                LOG.warn("replication slot {} retains {} of WAL, above SLOT_WAL_WARN_BYTES ({}): is the stream applying?",
                        slotName, bytes(s.retainedBytes()), bytes(warnBytes));
            }
            if (s.lost()) {
                LOG.error("replication slot {} was invalidated (wal_status lost): {}", slotName, LOST_FIX);
            }
            warned = over;
        } catch (RuntimeException e) {
            readFailure = e.getMessage();
        }
    }

    private static final String LOST_FIX = "PostgreSQL removed WAL the mirrors still needed (max_slot_wal_keep_size);"
            + " the leader's engine creates the slot again and copies every mirror at a new consistent point"
            + " (echodb_slot_recreated_total); should it not, drop the slot and resync every mirror";

    /** For /ready. */
    Check check() {
        SlotState s = last.get();
        if (s == null) {
            return Check.ok(readFailure == null ? "slot " + slotName + " not read yet"
                    : "slot " + slotName + " could not be read: " + readFailure);
        }
        if (!s.exists()) {
            return Check.ok("slot " + slotName + " does not exist (created with the first mirror)");
        }
        if (s.lost()) {
            return Check.failed("slot " + slotName + " was invalidated: " + LOST_FIX);
        }
        String detail = "slot " + slotName + " retains " + bytes(s.retainedBytes()) + " of WAL (wal_status "
                + s.walStatus() + (s.safeWalBytes() == null ? "" : ", " + bytes(s.safeWalBytes()) + " before invalidation")
                + (s.active() ? ", streaming" : ", not streaming") + ")";
        return Check.ok(s.retainedBytes() > warnBytes ? "WARNING: " + detail + ", above SLOT_WAL_WARN_BYTES " + bytes(warnBytes)
                : detail);
    }

    private static double statusCode(SlotState s) {
        return s.exists() ? STATUS_CODES.getOrDefault(s.walStatus(), 2) : -1;
    }

    private static String bytes(long n) {
        return n >= 1 << 20 ? String.format(java.util.Locale.ROOT, "%.1f MiB", n / 1048576.0) : n + " bytes";
    }
}
