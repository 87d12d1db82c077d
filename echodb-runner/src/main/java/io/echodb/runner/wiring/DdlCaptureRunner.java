package io.echodb.runner.wiring;

import io.echodb.adapters.postgres.ddl.CatalogSweep;
import io.echodb.adapters.postgres.ddl.DdlCaptureInstaller;
import io.echodb.core.time.Sleeper;
import io.echodb.core.service.StepLoop;
import io.echodb.runner.http.ReadinessReport.Check;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps DDL capture going after its install: nothing to run with event triggers; with the catalog sweep, one loop of its
 * own (never held up by the control plane) that sweeps every interval while this worker leads — the source pays one
 * sweep per interval, whatever the number of workers. Says which mode runs in /ready.
 */
final class DdlCaptureRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DdlCaptureRunner.class);

    private final CatalogSweep sweep;
    private final Duration interval;
    private final Clock clock;
    private final BooleanSupplier leader;
    private volatile DdlCaptureInstaller.Outcome outcome;
    private StepLoop loop;

    DdlCaptureRunner(CatalogSweep sweep, Duration interval, Clock clock, BooleanSupplier leader, MeterRegistry registry) {
        this.sweep = Objects.requireNonNull(sweep, "sweep");
        this.leader = Objects.requireNonNull(leader, "leader");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.clock = Objects.requireNonNull(clock, "clock");
        Gauge.builder("echodb_ddl_sweep_age_seconds", this::sweepAgeSeconds)
                .description("Seconds since the last successful catalog sweep (DDL capture without event triggers);"
                        + " NaN with event triggers or before the first sweep. Alert when it grows past a few intervals")
                .register(registry);
    }

    private double sweepAgeSeconds() {
        DdlCaptureInstaller.Outcome o = outcome;
        Instant last = sweep.status().lastSweepAt();
        if (o == null || !o.needsSweep() || last == null || !leader.getAsBoolean()) {
            return Double.NaN;
        }
        return Duration.between(last, clock.instant()).toMillis() / 1000.0;
    }

    /** Starts sweeping when {@code installed} needs it. */
    synchronized void start(DdlCaptureInstaller.Outcome installed) {
        this.outcome = installed;
        if (!installed.needsSweep() || loop != null) {
            return;
        }
        LOG.warn("DDL capture runs without event triggers: the catalog is swept every {} ms. {}", interval.toMillis(),
                CatalogSweep.LIMITS);
        loop = new StepLoop("ddl-sweep", () -> {
            if (leader.getAsBoolean()) {
                sweep.sweep();
            }
            return interval;
        }, Sleeper.SYSTEM, interval);
        loop.start();
    }

    /** The mode in use, and for the sweep whether it keeps up; failed when sweeps failed for three intervals. */
    Check check() {
        DdlCaptureInstaller.Outcome o = outcome;
        if (o == null) {
            return Check.failed("DDL capture not installed yet");
        }
        if (!o.needsSweep()) {
            return Check.ok("event triggers (DDL seen inside its own transaction)");
        }
        if (!leader.getAsBoolean()) {
            return Check.ok("catalog sweep every " + interval.toMillis() + " ms (no event triggers), run by the leader");
        }
        CatalogSweep.Status s = sweep.status();
        Instant last = s.lastSweepAt();
        String every = "catalog sweep every " + interval.toMillis() + " ms (no event triggers)";
        if (last == null) {
            return s.lastError() == null ? Check.ok(every + ", first sweep pending") : Check.failed(every + ", failing: " + s.lastError());
        }
        long ago = Duration.between(last, clock.instant()).toMillis();
        String detail = every + ", last sweep " + ago + " ms ago in " + s.lastDuration().toMillis() + " ms; DDL is seen"
                + " within one interval, and UPDATE/DELETE on a table that just lost its replica identity fail until"
                + " then";
        if (s.lastError() != null && ago > 3 * interval.toMillis()) {
            return Check.failed(detail + "; failing: " + s.lastError());
        }
        return Check.ok(detail);
    }

    @Override
    public synchronized void close() {
        if (loop != null) {
            loop.close();
        }
        sweep.close();
    }
}
