package io.echodb.bench;

import io.echodb.adapters.clickhouse.ClickHouseGateway;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.TableRef;
import io.echodb.core.replication.NativeMirrorEngine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Item 4: commit-to-visible latency at fixed offered rates. Generator threads run single-row UPDATE transactions on a
 * fixed schedule (change i is due at start + i/rate; a late thread does not skip, so the rate actually achieved is
 * reported too). Each thread owns its rows and writes its changes in order, and the engine applies the stream in
 * commit order, so when ClickHouse shows change c of a thread (read with {@code FINAL}), every earlier change of
 * that thread is visible too. A poller asks ClickHouse, back to back,
 * {@code SELECT thread, max(chg) FROM t FINAL GROUP BY thread}; a change's latency is the moment the poll that first
 * showed it returned minus the moment its COMMIT returned to the generator. So the figures include up to one poll
 * round trip (its mean is reported) and the engine's default batching (maxBatchAge 200 ms).
 */
final class LatencyBench {

    static final String TABLE = "lat_accounts";
    static final int THREADS = 8;
    static final int ROWS_PER_THREAD = 100;

    record RateResult(int offeredRate, double achievedRate, Stats stats, long maxScheduleSlipNanos, long unseen,
                      double meanPollNanos, long polls) { }

    private final Endpoints ep;
    private final String pgDb;
    private final String chDb;

    LatencyBench(Endpoints ep, String pgDb, String chDb) {
        this.ep = ep;
        this.pgDb = pgDb;
        this.chDb = chDb;
    }

    List<RateResult> run(List<Integer> rates, int seconds, int warmupSeconds) throws Exception {
        try (Connection c = ep.pg(pgDb)) {
            Sql.exec(c, "CREATE TABLE public." + TABLE + " (id integer PRIMARY KEY, thread integer NOT NULL,"
                    + " chg bigint NOT NULL, note text)");
            Sql.exec(c, "INSERT INTO public." + TABLE + " SELECT g, (g - 1) / " + ROWS_PER_THREAD + ", 0, 'row ' || g"
                    + " FROM generate_series(1, " + THREADS * ROWS_PER_THREAD + ") g");
        }
        Engines.Names names = new Engines.Names(pgDb, "bench_lat", "bench_lat_pub", "_bench_lat");
        Endpoints.Sink sink = ep.clickHouseSink(chDb);
        List<RateResult> out = new ArrayList<>();
        try (NativeMirrorEngine engine = Engines.engine(ep, names, Engines.source(ep, names), sink.sink());
             ClickHouseGateway poller = ep.clickHouse(chDb)) {
            engine.start();
            MirrorSpec spec = Engines.spec(TableRef.of("public", TABLE));
            engine.create(spec);
            Engines.awaitRunning(engine, spec.name(), Duration.ofMinutes(5));
            long chg = 0;
            for (int rate : rates) {
                RateResult r = measure(poller, rate, seconds, warmupSeconds, chg);
                chg += (long) rate * (seconds + warmupSeconds);
                out.add(r);
                Bench.progress("  %,d changes/s offered (%,.0f achieved): p50 %s, p95 %s, p99 %s, max %s", rate,
                        r.achievedRate(), Stats.ms(r.stats().p50()), Stats.ms(r.stats().p95()), Stats.ms(r.stats().p99()),
                        Stats.ms(r.stats().max()));
            }
            engine.drop(spec.name(), true);
        } finally {
            sink.gateway().close();
        }
        return out;
    }

    private RateResult measure(ClickHouseGateway ch, int rate, int seconds, int warmupSeconds, long chgBase) throws Exception {
        int total = rate * (seconds + warmupSeconds);
        long[] committed = new long[total];
        long[] visible = new long[total];
        long intervalNanos = 1_000_000_000L / rate;
        long start = System.nanoTime() + 200_000_000L;
        AtomicLong maxSlip = new AtomicLong();
        List<Thread> generators = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Thread g = new Thread(() -> {
                try (Connection c = ep.pg(pgDb);
                     PreparedStatement ps = c.prepareStatement("UPDATE public." + TABLE + " SET chg = ? WHERE id = ?")) {
                    for (int i = thread, n = 0; i < total; i += THREADS, n++) {
                        long due = start + i * intervalNanos;
                        long now = System.nanoTime();
                        if (due > now) {
                            LockSupport.parkNanos(due - now);
                        } else {
                            long slip = now - due;
                            maxSlip.accumulateAndGet(slip, Math::max);
                        }
                        ps.setLong(1, chgBase + i + 1);
                        ps.setInt(2, thread * ROWS_PER_THREAD + n % ROWS_PER_THREAD + 1);
                        ps.executeUpdate();
                        committed[i] = System.nanoTime();
                    }
                } catch (SQLException | RuntimeException e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }, "bench-latency-gen-" + t);
            g.start();
            generators.add(g);
        }
        // Poll until every change is visible (or a generous deadline passed).
        long[] nextUnseen = new long[THREADS]; // per thread: the smallest change index not yet seen
        for (int t = 0; t < THREADS; t++) {
            nextUnseen[t] = t;
        }
        long deadline = start + (long) (seconds + warmupSeconds + 60) * 1_000_000_000L;
        long polls = 0;
        long pollNanos = 0;
        String query = "SELECT thread, max(chg) FROM `" + chDb + "`.`" + TABLE + "` FINAL GROUP BY thread";
        while (System.nanoTime() < deadline && !allSeen(nextUnseen, total)) {
            long q0 = System.nanoTime();
            var rows = ch.query(query, "poll latency").rows();
            long q1 = System.nanoTime();
            polls++;
            pollNanos += q1 - q0;
            for (Object[] row : rows) {
                int thread = ((Number) row[0]).intValue();
                long maxIndex = ((Number) row[1]).longValue() - chgBase - 1; // change index i of the latest visible change
                while (nextUnseen[thread] < total && nextUnseen[thread] <= maxIndex) {
                    visible[(int) nextUnseen[thread]] = q1;
                    nextUnseen[thread] += THREADS;
                }
            }
            LockSupport.parkNanos(2_000_000);
        }
        for (Thread g : generators) {
            g.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("latency generator failed: " + failures.get(0), failures.get(0));
        }
        int from = rate * warmupSeconds;
        long[] latencies = new long[total - from];
        int n = 0;
        long unseen = 0;
        long firstCommit = Long.MAX_VALUE;
        long lastCommit = Long.MIN_VALUE;
        for (int i = from; i < total; i++) {
            firstCommit = Math.min(firstCommit, committed[i]);
            lastCommit = Math.max(lastCommit, committed[i]);
            if (visible[i] == 0) {
                unseen++;
                continue;
            }
            latencies[n++] = Math.max(0, visible[i] - committed[i]);
        }
        double achieved = (total - from - 1) / ((lastCommit - firstCommit) / 1e9);
        return new RateResult(rate, achieved, Stats.of(latencies, n), maxSlip.get(), unseen,
                polls == 0 ? 0 : (double) pollNanos / polls, polls);
    }

    private static boolean allSeen(long[] nextUnseen, int total) {
        for (long v : nextUnseen) {
            if (v < total) {
                return false;
            }
        }
        return true;
    }
}
