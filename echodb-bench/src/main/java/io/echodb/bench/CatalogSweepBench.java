package io.echodb.bench;

import io.echodb.adapters.postgres.ddl.CatalogSweep;
import io.echodb.adapters.postgres.ddl.DdlCaptureInstaller;
import io.echodb.adapters.postgres.ddl.DdlCaptureSettings;
import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What DDL capture without event triggers costs the source: the catalog sweep's time (one query over pg_class,
 * pg_attribute, pg_type, pg_enum and the replica-identity check, then the diff) with nothing changed — what every
 * worker pays every DDL_SWEEP_INTERVAL — and with one table altered, for databases of growing table counts (each
 * table: a primary key and four more columns).
 */
final class CatalogSweepBench {

    /** Sweep times in nanoseconds (medians of the runs) for one table count. */
    record Row(int tables, long idleNanos, long changedNanos, int idleRuns) { }

    record Result(List<Row> rows) { }

    private static final int WARMUP_RUNS = 30;
    private static final int IDLE_RUNS = 20;
    private static final int CHANGED_RUNS = 5;

    private final Endpoints ep;
    private final String pgDb;

    CatalogSweepBench(Endpoints ep, String pgDb) {
        this.ep = ep;
        this.pgDb = pgDb;
    }

    Result run(List<Integer> tableCounts) throws SQLException {
        PgConnectionFactory pg = ep.pgConnections(pgDb);
        DdlCaptureSettings capture = DdlCaptureSettings.defaults();
        new DdlCaptureInstaller(pg::open, capture).installForCatalogSweep();
        List<Row> rows = new ArrayList<>();
        int created = 0;
        try (CatalogSweep sweep = new CatalogSweep(pg::open, capture, Clock.systemUTC());
             Connection c = pg.open(); Statement st = c.createStatement()) {
            for (int target : tableCounts) {
                c.setAutoCommit(false);
                for (; created < target; created++) {
                    st.execute("CREATE TABLE sweep_t" + created + " (id bigint PRIMARY KEY, a int, b text, c timestamptz,"
                            + " d numeric(12, 2))");
                }
                c.commit();
                c.setAutoCommit(true);
                sweep.sweep(); // records the new tables
                for (int i = 0; i < WARMUP_RUNS; i++) {
                    sweep.sweep(); // a worker sweeps every second: measure it warmed up
                }
                long[] idle = new long[IDLE_RUNS];
                for (int i = 0; i < IDLE_RUNS; i++) {
                    long t0 = System.nanoTime();
                    sweep.sweep();
                    idle[i] = System.nanoTime() - t0;
                }
                long[] changed = new long[CHANGED_RUNS];
                for (int i = 0; i < CHANGED_RUNS; i++) {
                    st.execute("ALTER TABLE sweep_t0 ADD COLUMN extra_" + target + "_" + i + " int");
                    long t0 = System.nanoTime();
                    int steps = sweep.sweep();
                    changed[i] = System.nanoTime() - t0;
                    if (steps == 0) {
                        throw new IllegalStateException("the sweep did not see ALTER TABLE sweep_t0 with " + target + " tables");
                    }
                }
                rows.add(new Row(target, median(idle), median(changed), IDLE_RUNS));
                Bench.progress("catalog sweep, %d tables: idle %s, one table altered %s", target,
                        Stats.ms(median(idle)), Stats.ms(median(changed)));
            }
        }
        return new Result(rows);
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
