package io.echodb.runner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.TableRef;
import io.echodb.core.replication.EngineSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How initial copies scale (issue 16, item 2; docs/BENCHMARKS.md, "Copy scaling"): one pgbench_accounts-like table
 * copied into ClickHouse with 1, 2, 4 workers ({@code -Dechodb.bench.parallelism=1,2,4}), then four such tables copied
 * with 1, 2, 4 at a time ({@code -Dechodb.bench.concurrent=1,2,4}, 2 workers each), all within the engine's copy memory
 * ({@code SNAPSHOT_MEMORY_BYTES}, 128 MiB by default). {@code -Dechodb.bench.rows=} rows per table (default 1,000,000).
 * Prints a markdown table; asserts only that every copy is exact in count and sum.
 */
/** Not a test: a benchmark, named so the default build does not run it (docs/BENCHMARKS.md has the command). */
class CopyScalingBenchmark {

    private static final Logger LOG = LoggerFactory.getLogger(CopyScalingBenchmark.class);
    private static final int ROWS = Integer.getInteger("echodb.bench.rows", 1_000_000);
    private static final int TABLES = 4;
    private static final Duration WAIT = Duration.ofHours(1);

    private static E2eEnv env;

    @BeforeAll
    static void setUp() {
        env = E2eEnv.create("copy_scaling");
    }

    @AfterAll
    static void tearDown() {
        env.close();
    }

    @Test
    void copiesScaleWithWorkersAndTablesWithinTheCopyMemory() throws Exception {
        List<TableRef> tables = new ArrayList<>();
        for (int t = 1; t <= TABLES; t++) {
            String name = "accounts_" + t;
            env.sql("CREATE TABLE " + name + " (aid integer PRIMARY KEY, bid integer, abalance integer, filler char(84))",
                    "INSERT INTO " + name + " SELECT g, (g - 1) / 100000 + 1, g % 1000, '' FROM generate_series(1, "
                            + ROWS + ") g",
                    "VACUUM (FREEZE, ANALYZE) " + name);
            tables.add(E2eEnv.table(name));
        }
        StringBuilder report = new StringBuilder("\n| tables | at a time | workers each | seconds | rows/s | MB/s of COPY text"
                + " | peak heap after GC |\n|---|---|---|---|---|---|---|\n");
        long textBytes = env.pgLong("SELECT sum(length(t::text) + 1)::bigint FROM accounts_1 t");
        run(tables.subList(0, 1), 1, 2, textBytes); // warm-up (JIT, connections, ClickHouse): not reported
        for (int workers : list("echodb.bench.parallelism", "1,2,4")) {
            report.append(run(tables.subList(0, 1), 1, workers, textBytes));
        }
        for (int concurrent : list("echodb.bench.concurrent", "1,2,4")) {
            report.append(run(tables, concurrent, 2, textBytes));
        }
        LOG.info("BENCH copy scaling, {} rows per table, {} cores:{}", ROWS,
                Runtime.getRuntime().availableProcessors(), report);
    }

    /** Copies {@code tables} with a fresh engine, checks them, drops the mirrors and targets; one report row. */
    private static String run(List<TableRef> tables, int concurrent, int workers, long textBytesPerTable) throws Exception {
        EngineSettings settings = EngineSettings.defaults().toBuilder().snapshotParallelism(workers)
                .concurrentSnapshots(concurrent).build();
        PgReplicationConfig defaults = PgReplicationConfig.defaults();
        PgReplicationConfig replication = env.replicationConfig()
                .withCopy(defaults.copyBatchRows(), defaults.minPagesPerCopyRange());
        try (Rig rig = env.rig().settings(settings).replication(replication).start()) {
            HeapSampler heap = new HeapSampler(100);
            long start = System.nanoTime();
            for (TableRef table : tables) {
                rig.engine.create(E2eEnv.spec(table));
            }
            for (TableRef table : tables) {
                E2eEnv.awaitCopied(rig.engine, E2eEnv.spec(table).name(), WAIT);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long peakHeap = heap.stop();
            for (TableRef table : tables) {
                assertThat(env.chLong("SELECT count() FROM " + env.chTable(table.name()) + " FINAL")).isEqualTo(ROWS);
                assertThat(env.chLong("SELECT sum(abalance) FROM " + env.chTable(table.name()) + " FINAL"))
                        .isEqualTo(env.pgLong("SELECT sum(abalance) FROM " + table.name()));
                MirrorSpec spec = E2eEnv.spec(table);
                rig.engine.drop(spec.name(), true);
            }
            long rows = (long) ROWS * tables.size();
            String row = String.format("| %d | %d | %d | %.1f | %,.0f | %.1f | %d MiB |%n", tables.size(), concurrent,
                    workers, seconds, rows / seconds, textBytesPerTable * tables.size() / 1e6 / seconds,
                    peakHeap >> 20);
            LOG.info("BENCH {}", row.trim());
            return row;
        }
    }

    private static List<Integer> list(String property, String fallback) {
        return Arrays.stream(System.getProperty(property, fallback).split(",")).map(String::trim).map(Integer::valueOf)
                .toList();
    }
}
