package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initial copy of a 1,000-column table (docs/BENCHMARKS.md, "Wide copy memory"): 1,000,000 rows by default
 * ({@code -Dechodb.bench.rows=}), copied by the real engine into ClickHouse while the heap is limited
 * ({@code -DargLine=-Xmx…}). Logs rows/s, peak heap after GC and peak RSS ({@code VmHWM}); asserts only the outcome.
 */
/** Not a test: a benchmark, named so the default build does not run it (docs/BENCHMARKS.md has the command). */
class WideCopyBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(WideCopyBenchmark.class);
    private static final int ROWS = Integer.getInteger("echodb.bench.rows", 1_000_000);
    private static final int COLUMNS = 1_000;
    private static final Duration WAIT = Duration.ofHours(2);

    private static E2eEnv env;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("wide_copy");
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    @Test
    void aThousandColumnTableIsCopiedWithinTheHeap() throws Exception {
        String columns = IntStream.range(1, COLUMNS).mapToObj(i -> "c" + i + " int").collect(Collectors.joining(", "));
        String values = IntStream.range(1, COLUMNS).mapToObj(i -> "(g + " + i + ") % 100000")
                .collect(Collectors.joining(", "));
        env.sql("CREATE TABLE wide (id bigint PRIMARY KEY, " + columns + ")");
        long loadStart = System.nanoTime();
        for (int from = 1; from <= ROWS; from += 50_000) {
            env.sql("INSERT INTO wide SELECT g, " + values + " FROM generate_series(" + from + ", "
                    + Math.min(ROWS, from + 49_999) + ") g");
        }
        env.sql("ANALYZE wide");
        LOG.info("BENCH loaded {} rows x {} columns in {} s ({} of table)", ROWS, COLUMNS, seconds(loadStart),
                env.pgString("SELECT pg_size_pretty(pg_total_relation_size('wide'))"));

        TableRef wide = E2eEnv.table("wide");
        // the runner's defaults (BATCH_MAX_ROWS 50,000, BATCH_MAX_BYTES 32 MiB, SNAPSHOT_PARALLELISM 2), not the fast test settings
        Rig rig = env.rig().settings(io.echodb.core.replication.EngineSettings.defaults()).start();
        MirrorSpec spec = E2eEnv.spec(wide);
        AtomicBoolean copying = new AtomicBoolean(true);
        AtomicLong peakHeapAfterGc = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (copying.get()) {
                peakHeapAfterGc.accumulateAndGet(heapAfterLastGc(), Math::max);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "wide-copy-sampler");
        sampler.setDaemon(true);
        sampler.start();
        long copyStart = System.nanoTime();
        rig.engine.create(spec);
        E2eEnv.awaitState(rig.engine, spec.name(), MirrorState.RUNNING, WAIT);
        double copySeconds = seconds(copyStart);
        copying.set(false);
        sampler.join();

        long max = Runtime.getRuntime().maxMemory();
        LOG.info("BENCH copy of {} rows x {} columns: {} s ({} rows/s); max heap {} MiB, peak heap after GC {} MiB,"
                        + " peak RSS {} MiB", ROWS, COLUMNS, Math.round(copySeconds), Math.round(ROWS / copySeconds),
                max >> 20, peakHeapAfterGc.get() >> 20, peakRssKib() >> 10);
        assertThat(env.chLong("SELECT count() FROM " + env.chTable("wide") + " FINAL")).isEqualTo(ROWS);
        assertThat(env.chLong("SELECT sum(c999) FROM " + env.chTable("wide") + " FINAL"))
                .isEqualTo(env.pgLong("SELECT sum(c999) FROM wide"));
    }

    /** Heap in use right after the last collection of each pool (what the copy really keeps), summed. */
    private static long heapAfterLastGc() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                sum += pool.getCollectionUsage().getUsed();
            }
        }
        return sum;
    }

    /** The process's peak resident set size (VmHWM), in KiB. */
    private static long peakRssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
