package io.echodb.runner.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.adapters.postgres.replication.PgSlotWatch.SlotState;
import io.echodb.runner.http.ReadinessReport.Check;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** What operators see of the slot: the readiness check and gauges for each state (the reads are PgSlotWatchTest's). */
class SlotMonitorTest {

    private final AtomicReference<SlotState> state = new AtomicReference<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SlotMonitor monitor = new SlotMonitor("echodb_slot", state::get, 1_000_000, registry);

    @Test
    void belowTheThresholdTheDetailIsPlainAndAboveItWarns() {
        state.set(new SlotState(true, 5_000, "reserved", null, true));
        monitor.sweep();
        Check quiet = monitor.check();
        assertThat(quiet.ok()).isTrue();
        assertThat(quiet.detail()).startsWith("slot echodb_slot retains 5000 bytes of WAL (wal_status reserved, streaming)");
        assertThat(gauge("echodb_slot_retained_wal_bytes")).isEqualTo(5_000);
        assertThat(gauge("echodb_slot_wal_status")).isZero();
        assertThat(gauge("echodb_slot_safe_wal_bytes")).isNaN();

        state.set(new SlotState(true, 3L << 20, "extended", 7L << 20, false));
        monitor.sweep();
        Check busy = monitor.check();
        assertThat(busy.ok()).isTrue();
        assertThat(busy.detail()).startsWith("WARNING: slot echodb_slot retains 3.0 MiB")
                .contains("7.0 MiB before invalidation").contains("not streaming").contains("SLOT_WAL_WARN_BYTES");
        assertThat(gauge("echodb_slot_wal_status")).isEqualTo(1);
        assertThat(gauge("echodb_slot_safe_wal_bytes")).isEqualTo(7L << 20);
    }

    @Test
    void anInvalidatedSlotFailsReadinessWithTheFix() {
        state.set(new SlotState(true, 0, "lost", 0L, false));
        monitor.sweep();
        Check lost = monitor.check();
        assertThat(lost.ok()).isFalse();
        assertThat(lost.detail()).contains("invalidated").contains("max_slot_wal_keep_size").contains("resync");
        assertThat(gauge("echodb_slot_wal_status")).isEqualTo(3);
    }

    @Test
    void aMissingSlotOrAFailedReadIsSaidPlainly() {
        state.set(new SlotState(false, 0, "missing", null, false));
        monitor.sweep();
        assertThat(monitor.check().detail()).contains("does not exist");
        assertThat(gauge("echodb_slot_wal_status")).isEqualTo(-1);

        SlotMonitor failing = new SlotMonitor("s", () -> {
            throw new IllegalStateException("connection refused");
        }, 1, new SimpleMeterRegistry());
        failing.sweep();
        assertThat(failing.check().ok()).isTrue();
        assertThat(failing.check().detail()).contains("could not be read").contains("connection refused");
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }
}
