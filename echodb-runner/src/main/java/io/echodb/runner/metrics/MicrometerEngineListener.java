package io.echodb.runner.metrics;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.replication.EngineListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns the native engine's events into Prometheus meters: batches and rows written (streamed and copied) per table
 * with their write time, state transitions, errors by operation, and the last acknowledged LSN.
 */
public final class MicrometerEngineListener implements EngineListener {

    private final MeterRegistry registry;
    private final AtomicLong acknowledgedLsn = new AtomicLong();

    public MicrometerEngineListener(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("echodb.engine.acknowledged.lsn", acknowledgedLsn, AtomicLong::get)
                .description("Last WAL position acknowledged to PostgreSQL (as a number)")
                .register(registry);
        slotRecreated().increment(0); // present from the start, so alerts on increase() see 0 rather than nothing
        copiesResumed().increment(0);
    }

    private Counter copiesResumed() {
        return Counter.builder("echodb.copy.resumed")
                .description("Initial copies cut short (crash, leader change, outage) that went on from their finished ranges")
                .register(registry);
    }

    @Override
    public void copyResumed(MirrorName mirror, int finishedRanges, Lsn firstPoint) {
        copiesResumed().increment();
    }

    private Counter slotRecreated() {
        return Counter.builder("echodb.slot.recreated")
                .description("Replication slots created again after the server invalidated them (every mirror recopied)")
                .register(registry);
    }

    @Override
    public void batchFlushed(TableRef table, int rows, long nanos) {
        write("stream", table, rows, nanos);
    }

    @Override
    public void snapshotBatchWritten(TableRef table, int rows, long nanos) {
        write("snapshot", table, rows, nanos);
    }

    @Override
    public void stateChanged(MirrorName mirror, MirrorState from, MirrorState to, String reason) {
        Counter.builder("echodb.engine.state.transitions")
                .description("Mirror state transitions")
                .tag("to", to.name().toLowerCase(Locale.ROOT))
                .register(registry).increment();
    }

    @Override
    public void error(MirrorName mirror, String operation, Throwable error) {
        Counter.builder("echodb.engine.errors")
                .description("Engine failures by operation")
                .tag("operation", operation == null ? "unknown" : operation)
                .register(registry).increment();
    }

    @Override
    public void acknowledged(Lsn lsn) {
        acknowledgedLsn.set(lsn.value());
    }

    @Override
    public void slotRecreated(String reason, int mirrors) {
        slotRecreated().increment();
    }

    private void write(String phase, TableRef table, int rows, long nanos) {
        String t = table.qualified();
        Timer.builder("echodb.engine.batch.write")
                .description("Time to write one batch to ClickHouse")
                .tag("phase", phase).tag("table", t)
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
        Counter.builder("echodb.engine.rows.written")
                .description("Rows written to ClickHouse")
                .tag("phase", phase).tag("table", t)
                .register(registry).increment(rows);
    }
}
