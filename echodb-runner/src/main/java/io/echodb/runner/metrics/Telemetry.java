package io.echodb.runner.metrics;

import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's Micrometer registry, exposed as Prometheus text: JVM meters, mirrors by state, and the consistency
 * verdict per table. Other parts (breakers, the engine listener) bind their own meters to {@link #registry()}.
 */
public final class Telemetry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Telemetry.class);
    private static final Duration MIRROR_REFRESH = Duration.ofSeconds(5);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Clock clock;
    private final Map<String, TableGauges> consistency = new ConcurrentHashMap<>();
    private final Map<MirrorState, AtomicLong> mirrorsByState = new EnumMap<>(MirrorState.class);
    private volatile Supplier<List<MirrorStatus>> mirrorLister;
    private volatile Instant mirrorsRefreshedAt = Instant.MIN;

    private record TableGauges(AtomicLong difference, AtomicLong match, AtomicLong postgres, AtomicLong clickhouse) { }

    public Telemetry(Clock clock) {
        this.clock = clock;
        // every verdict present from the start, so alerts on increase() see 0 rather than nothing
        for (ConsistencyReport.Verdict v : ConsistencyReport.Verdict.values()) {
            checks(v).increment(0);
        }
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        for (MirrorState state : MirrorState.values()) {
            AtomicLong n = new AtomicLong();
            mirrorsByState.put(state, n);
            Gauge.builder("echodb.mirrors", n, v -> {
                        refreshMirrorsIfStale();
                        return v.get();
                    })
                    .description("Mirrors by state")
                    .tag("state", state.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Where the mirrors-by-state gauges read from; called at most every few seconds, at scrape time. */
    public void trackMirrors(Supplier<List<MirrorStatus>> lister) {
        this.mirrorLister = lister;
    }

    /** Counts a mirror copied again because a check found its table different while it was RUNNING and caught up. */
    public void recordAutoResync(TableRef table) {
        Counter.builder("echodb.consistency.auto.resyncs")
                .description("Mirrors copied again because a consistency check found them different while RUNNING")
                .tag("table", table.qualified())
                .register(registry).increment();
    }

    /** Records the outcome of one consistency check (scheduled or on demand). */
    public void recordConsistency(ConsistencyReport report) {
        String table = report.table().qualified();
        TableGauges g = consistency.computeIfAbsent(table, t -> {
            TableGauges n = new TableGauges(new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong());
            Gauge.builder("echodb.consistency.difference", n.difference(), AtomicLong::get)
                    .description("PostgreSQL rows minus ClickHouse rows at the last check").tag("table", t).register(registry);
            Gauge.builder("echodb.consistency.match", n.match(), AtomicLong::get)
                    .description("1 when the last check matched (or was in flight), 0 on a mismatch").tag("table", t).register(registry);
            Gauge.builder("echodb.consistency.postgres.rows", n.postgres(), AtomicLong::get).tag("table", t).register(registry);
            Gauge.builder("echodb.consistency.clickhouse.rows", n.clickhouse(), AtomicLong::get).tag("table", t).register(registry);
            return n;
        });
        g.difference().set(report.difference());
        g.match().set(report.verdict() == ConsistencyReport.Verdict.MISMATCH ? 0 : 1);
        g.postgres().set(report.postgresCount());
        g.clickhouse().set(report.clickhouseCount());
        checks(report.verdict()).increment();
    }

    private Counter checks(ConsistencyReport.Verdict verdict) {
        return Counter.builder("echodb.consistency.checks")
                .description("Consistency checks by verdict")
                .tag("verdict", verdict.name().toLowerCase(Locale.ROOT))
                .register(registry);
    }

    public String scrape() {
        return registry.scrape();
    }

    private void refreshMirrorsIfStale() {
        Supplier<List<MirrorStatus>> lister = mirrorLister;
        Instant now = clock.instant();
        if (lister == null || now.isBefore(mirrorsRefreshedAt.plus(MIRROR_REFRESH))) {
            return;
        }
        mirrorsRefreshedAt = now;
        try {
            Map<MirrorState, Long> counts = new EnumMap<>(MirrorState.class);
            for (MirrorStatus s : lister.get()) {
                counts.merge(s.state(), 1L, Long::sum);
            }
            mirrorsByState.forEach((state, n) -> n.set(counts.getOrDefault(state, 0L)));
        } catch (RuntimeException e) {
            LOG.debug("could not list mirrors for the metrics; keeping the last counts: {}", e.toString());
        }
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
