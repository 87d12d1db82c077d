package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.TableRef;
import io.echodb.core.replication.EngineSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initial copy of 1,000-column tables (docs/BENCHMARKS.md, "Wide copy memory"): one table of 1,000,000 rows by
 * default ({@code -Dechodb.bench.rows=}), or several copied at once ({@code -Dechodb.bench.tables=}, with
 * {@code -Dechodb.bench.concurrent=} tables at a time, {@code -Dechodb.bench.parallelism=} workers each and
 * {@code -Dechodb.bench.copyMemory=} bytes of copy memory; the runner's defaults otherwise), by the real engine into
 * ClickHouse while the heap is limited ({@code -DargLine=-Xmx…}). Logs rows/s, peak heap after GC and peak RSS
 * ({@code VmHWM}); asserts only the outcome.
 */
/** Not a test: a benchmark, named so the default build does not run it (docs/BENCHMARKS.md has the command). */
class WideCopyBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(WideCopyBenchmark.class);
    private static final int ROWS = Integer.getInteger("echodb.bench.rows", 1_000_000);
    private static final int TABLES = Integer.getInteger("echodb.bench.tables", 1);
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
    void thousandColumnTablesAreCopiedWithinTheHeap() throws Exception {
        String columns = IntStream.range(1, COLUMNS).mapToObj(i -> "c" + i + " int").collect(Collectors.joining(", "));
        String values = IntStream.range(1, COLUMNS).mapToObj(i -> "(g + " + i + ") % 100000")
                .collect(Collectors.joining(", "));
        List<TableRef> tables = new ArrayList<>();
        long loadStart = System.nanoTime();
        for (int t = 1; t <= TABLES; t++) {
            String name = TABLES == 1 ? "wide" : "wide_" + t;
            env.sql("CREATE TABLE " + name + " (id bigint PRIMARY KEY, " + columns + ")");
            for (int from = 1; from <= ROWS; from += 50_000) {
                env.sql("INSERT INTO " + name + " SELECT g, " + values + " FROM generate_series(" + from + ", "
                        + Math.min(ROWS, from + 49_999) + ") g");
            }
            env.sql("ANALYZE " + name);
            tables.add(E2eEnv.table(name));
        }
        LOG.info("BENCH loaded {} table(s) of {} rows x {} columns in {} s ({} each)", TABLES, ROWS, COLUMNS,
                seconds(loadStart), env.pgString("SELECT pg_size_pretty(pg_total_relation_size('"
                        + tables.get(0).name() + "'))"));

        // The runner's defaults (BATCH_MAX_ROWS 50,000, BATCH_MAX_BYTES 32 MiB, SNAPSHOT_PARALLELISM 2,
        // CONCURRENT_SNAPSHOTS 2, SNAPSHOT_MEMORY_BYTES 128 MiB), not the fast test settings, unless overridden.
        EngineSettings defaults = EngineSettings.defaults();
        EngineSettings settings = defaults.toBuilder()
                .snapshotParallelism(Integer.getInteger("echodb.bench.parallelism", defaults.snapshotParallelism()))
                .concurrentSnapshots(Integer.getInteger("echodb.bench.concurrent", defaults.concurrentSnapshots()))
                .copyMemoryBytes(Long.getLong("echodb.bench.copyMemory", defaults.copyMemoryBytes()))
                .build();
        Rig rig = env.rig().settings(settings).start();
        HeapSampler heap = new HeapSampler(200);
        long copyStart = System.nanoTime();
        for (TableRef table : tables) {
            rig.engine.create(E2eEnv.spec(table));
        }
        for (TableRef table : tables) {
            E2eEnv.awaitCopied(rig.engine, E2eEnv.spec(table).name(), WAIT);
        }
        double copySeconds = seconds(copyStart);
        long peakHeapAfterGc = heap.stop();

        long max = Runtime.getRuntime().maxMemory();
        long allRows = (long) ROWS * TABLES;
        LOG.info("BENCH copy of {} table(s) of {} rows x {} columns ({} at a time, {} workers each, copy memory {} MiB):"
                        + " {} s ({} rows/s); max heap {} MiB, peak heap after GC {} MiB, peak RSS {} MiB", TABLES,
                ROWS, COLUMNS, settings.concurrentSnapshots(), settings.snapshotParallelism(),
                settings.copyMemoryBytes() >> 20, Math.round(copySeconds), Math.round(allRows / copySeconds),
                max >> 20, peakHeapAfterGc >> 20, HeapSampler.peakRssKib() >> 10);
        for (TableRef table : tables) {
            assertThat(env.chLong("SELECT count() FROM " + env.chTable(table.name()) + " FINAL")).isEqualTo(ROWS);
            assertThat(env.chLong("SELECT sum(c999) FROM " + env.chTable(table.name()) + " FINAL"))
                    .isEqualTo(env.pgLong("SELECT sum(c999) FROM " + table.name()));
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
