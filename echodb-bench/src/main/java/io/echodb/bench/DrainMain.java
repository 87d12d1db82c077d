package io.echodb.bench;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.debezium.embedded.Connect;
import io.echodb.adapters.postgres.replication.PgChangeSource;
import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.replication.NativeMirrorEngine;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * A measured CDC consumer, run in its own JVM by {@link CdcBench}: drains a workload that is already in the WAL
 * from its own slot, then prints its figures. Modes:
 * <ul>
 *   <li>{@code echodb-ch db slot publication stateSchema changes chDatabase}: the native engine into ClickHouse;</li>
 *   <li>{@code echodb-noop db slot publication stateSchema changes}: the native engine with a no-op sink;</li>
 *   <li>{@code debezium db slot publication table changes}: Debezium's embedded engine, no-op consumer.</li>
 * </ul>
 * Times are measured from just before the consumer starts; "first" is the first row change it received.
 */
public final class DrainMain {

    private DrainMain() {
    }

    public static void main(String[] args) {
        try {
            Endpoints ep = Endpoints.fromEnv();
            String mode = args[0];
            Map<String, Object> out = switch (mode) {
                case "echodb-ch", "echodb-noop" -> echodb(ep, mode.equals("echodb-ch"), args);
                case "debezium" -> debezium(ep, args);
                default -> throw new IllegalArgumentException("unknown mode " + mode);
            };
            ChildProcess.emit(out);
            System.exit(0);
        } catch (Throwable t) {
            // libraries leave non-daemon threads behind: never hang after a failure
            t.printStackTrace();
            System.exit(1);
        }
    }

    private static Map<String, Object> echodb(Endpoints ep, boolean intoClickHouse, String[] a) throws Exception {
        Engines.Names names = new Engines.Names(a[1], a[2], a[3], a[4]);
        long changes = Long.parseLong(a[5]);
        Endpoints.Sink ch = intoClickHouse ? ep.clickHouseSink(a[6]) : null;
        ChangeSink target = intoClickHouse ? ch.sink() : new NoopSink();
        CountingSink sink = new CountingSink(target, changes);
        PgChangeSource pg = Engines.source(ep, names);
        TimedSource source = new TimedSource(pg);
        NativeMirrorEngine engine = Engines.engine(ep, names, source, sink);
        ProcStats.resetPeak();
        Map<String, Long> threads0 = ProcStats.threadCpuNanos();
        long cpu0 = ProcStats.cpuNanos();
        long gc0 = ProcStats.gcMillis();
        long t0 = System.nanoTime();
        engine.start();
        if (!sink.reached().await(2, TimeUnit.HOURS)) {
            throw new IllegalStateException("only " + sink.rows() + " of " + changes + " changes applied");
        }
        long t1 = sink.reachedAtNanos();
        long cpu1 = ProcStats.cpuNanos();
        long gc1 = ProcStats.gcMillis();
        long peak = ProcStats.peakRssKib();
        long rss = ProcStats.rssKib();
        Map<String, Long> threads = ProcStats.minus(ProcStats.threadCpuNanos(), threads0);
        engine.close();
        if (ch != null) {
            ch.gateway().close();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("changes", sink.rows());
        m.put("total_ns", t1 - t0);
        m.put("first_ns", source.firstChangeNanos() - t0);
        m.put("stream_ns", t1 - source.firstChangeNanos());
        m.put("second_half_ns", t1 - sink.halfAtNanos());
        m.put("second_half_changes", sink.rows() - rowsAtHalf(sink));
        m.put("second_half_cpu_ns", cpu1 - sink.halfCpuNanos());
        m.put("cpu_ns", cpu1 - cpu0);
        m.put("gc_ms", gc1 - gc0);
        m.put("rss_peak_kib", peak);
        m.put("rss_kib", rss);
        m.put("sink_writes", sink.writes());
        m.put("sink_write_ns", sink.writeNanos());
        putThreads(m, threads);
        return m;
    }

    private static long rowsAtHalf(CountingSink sink) {
        return sink.rowsAtHalf();
    }

    private static Map<String, Object> debezium(Endpoints ep, String[] a) throws Exception {
        String db = a[1];
        String slot = a[2];
        String publication = a[3];
        String table = a[4];
        long changes = Long.parseLong(a[5]);
        Properties p = new Properties();
        p.setProperty("name", "bench-debezium");
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        p.setProperty("offset.flush.interval.ms", "10000");
        p.setProperty("database.hostname", ep.pgHost());
        p.setProperty("database.port", Integer.toString(ep.pgPort()));
        p.setProperty("database.user", ep.pgUser());
        p.setProperty("database.password", ep.pgPassword());
        p.setProperty("database.dbname", db);
        p.setProperty("topic.prefix", "bench");
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", slot);
        p.setProperty("publication.name", publication);
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("table.include.list", table);
        p.setProperty("tombstones.on.delete", "false");

        AtomicLong seen = new AtomicLong();
        AtomicLong other = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        long[] marks = new long[4]; // first, reached, half, CPU at half
        DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> consumer = (records, committer) -> {
            for (RecordChangeEvent<SourceRecord> r : records) {
                SourceRecord sr = r.record();
                if (sr.value() != null && sr.topic().startsWith("bench.")) {
                    long n = seen.incrementAndGet();
                    if (n == 1) {
                        marks[0] = System.nanoTime();
                    }
                    if (n == changes / 2) {
                        marks[3] = ProcStats.cpuNanos();
                        marks[2] = System.nanoTime();
                    }
                    if (n == changes) {
                        marks[1] = System.nanoTime();
                        done.countDown();
                    }
                } else {
                    other.incrementAndGet();
                }
                committer.markProcessed(r);
            }
            committer.markBatchFinished();
        };
        Throwable[] failure = new Throwable[1];
        DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(p)
                .notifying(consumer)
                .using((success, message, error) -> {
                    if (!success) {
                        failure[0] = error != null ? error : new IllegalStateException(message);
                        done.countDown();
                    }
                })
                .build();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        ProcStats.resetPeak();
        Map<String, Long> threads0 = ProcStats.threadCpuNanos();
        long cpu0 = ProcStats.cpuNanos();
        long gc0 = ProcStats.gcMillis();
        long t0 = System.nanoTime();
        executor.execute(engine);
        if (!done.await(2, TimeUnit.HOURS)) {
            throw new IllegalStateException("Debezium delivered only " + seen.get() + " of " + changes + " changes");
        }
        if (failure[0] != null && seen.get() < changes) {
            throw new IllegalStateException("Debezium stopped after " + seen.get() + " changes", failure[0]);
        }
        long cpu1 = ProcStats.cpuNanos();
        long gc1 = ProcStats.gcMillis();
        long peak = ProcStats.peakRssKib();
        long rss = ProcStats.rssKib();
        Map<String, Long> threads = ProcStats.minus(ProcStats.threadCpuNanos(), threads0);
        engine.close();
        executor.shutdown();
        executor.awaitTermination(30, TimeUnit.SECONDS);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("changes", seen.get());
        m.put("other_records", other.get());
        m.put("total_ns", marks[1] - t0);
        m.put("first_ns", marks[0] - t0);
        m.put("stream_ns", marks[1] - marks[0]);
        m.put("second_half_ns", marks[1] - marks[2]);
        m.put("second_half_changes", changes - changes / 2);
        m.put("second_half_cpu_ns", cpu1 - marks[3]);
        m.put("cpu_ns", cpu1 - cpu0);
        m.put("gc_ms", gc1 - gc0);
        m.put("rss_peak_kib", peak);
        m.put("rss_kib", rss);
        putThreads(m, threads);
        return m;
    }

    /** Java threads' CPU (the application's, JIT and GC excluded): the total and the busiest thread groups. */
    private static void putThreads(Map<String, Object> m, Map<String, Long> threads) {
        m.put("app_cpu_ns", threads.values().stream().mapToLong(Long::longValue).sum());
        StringBuilder top = new StringBuilder();
        threads.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(4)
                .forEach(e -> top.append(top.length() == 0 ? "" : ",").append(e.getKey().replaceAll("[\\s,=]", "_"))
                        .append(':').append(e.getValue() / 1_000_000));
        m.put("threads_ms", top.toString());
    }
}
