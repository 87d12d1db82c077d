package io.echodb.bench;

import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.replication.NativeMirrorEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Items 2, 3 and 6: one workload of single-row changes (60% updates, 20% inserts, 20% deletes, one change per
 * transaction) is written while four slots on the same publication-filtered table retain it, then drained slot by
 * slot: {@code pg_recvlogical} (pgoutput, output discarded), EchoDB with a no-op sink, EchoDB into ClickHouse and
 * Debezium's embedded engine with a no-op consumer. Every consumer sees exactly the same WAL. The JVM consumers run
 * in their own process (heap {@value ChildProcess#CHILD_HEAP}), so peak RSS and CPU are theirs alone. With several
 * rounds every consumer has one slot per round and the drains are interleaved (A B C D A B C D), which evens out
 * other load on the machine; the best round of each consumer is its result.
 */
final class CdcBench {

    static final String TABLE = "cdc_accounts";

    /** One consumer's drain. Times in nanoseconds; {@code firstNanos} is from its start to its first change. */
    record Drain(String name, long changes, long totalNanos, long firstNanos, long streamNanos, long secondHalfNanos,
                 long secondHalfChanges, long secondHalfCpuNanos, long cpuNanos, long rssPeakKib, long gcMillis,
                 long appCpuNanos, String threads, ServiceCpu.Sample services) {
        Drain withServices(ServiceCpu.Sample s) {
            return new Drain(name, changes, totalNanos, firstNanos, streamNanos, secondHalfNanos, secondHalfChanges,
                    secondHalfCpuNanos, cpuNanos, rssPeakKib, gcMillis, appCpuNanos, threads, s);
        }

        /** The rate of the second half of the drain (JIT warm-up behind it); 0 when not measured. */
        double steadyChangesPerSec() {
            return secondHalfNanos <= 0 ? 0 : secondHalfChanges / (secondHalfNanos / 1e9);
        }

        /** CPU per change over the whole drain, in microseconds. */
        double cpuMicrosPerChange() {
            return cpuNanos / 1e3 / changes;
        }

        /** CPU per change in the second half (warmed up), in microseconds; 0 when not measured. */
        double steadyCpuMicrosPerChange() {
            return secondHalfChanges <= 0 ? 0 : secondHalfCpuNanos / 1e3 / secondHalfChanges;
        }

        double changesPerSec() {
            return changes / (streamNanos / 1e9);
        }

        double cpuPercent() {
            return 100.0 * cpuNanos / totalNanos;
        }
    }

    /** All rounds of one consumer, in order; the headline is the best round (least disturbed by other load). */
    record Rounds(List<Drain> drains) {
        Drain best() {
            return drains.stream().max(Comparator.comparingDouble(Drain::changesPerSec)).orElseThrow();
        }
    }

    /**
     * {@code candidateNoop}/{@code candidateCh} are null unless a candidate build of echodb-core was given
     * ({@code -Dbench.candidate.core=jar}): the same drains with that jar instead of the built one, in the same rounds.
     */
    record Result(long changes, long tableRows, long walBytes, long workloadNanos, int sessions, Rounds recv, Rounds echoNoop,
                  Rounds echoCh, Rounds debezium, String recvBinary, String recvVersion, String verification,
                  long sinkWrites, long sinkWriteNanos, Rounds candidateNoop, Rounds candidateCh) { }

    private final Endpoints ep;
    private final String pgDb;
    private final List<String> chDbs;
    private final ServiceCpu cpu;

    /** One round per ClickHouse database: every consumer drains the workload once per round, rounds interleaved. */
    CdcBench(Endpoints ep, String pgDb, List<String> chDbs, ServiceCpu cpu) {
        this.ep = ep;
        this.pgDb = pgDb;
        this.chDbs = List.copyOf(chDbs);
        this.cpu = cpu;
    }

    Result run(long tableRows, long changes, int sessions) throws Exception {
        if (changes % sessions != 0 || tableRows % sessions != 0) {
            throw new IllegalArgumentException("changes and rows must be multiples of the session count " + sessions);
        }
        int rounds = chDbs.size();
        TableRef table = TableRef.of("public", TABLE);
        try (Connection c = ep.pg(pgDb)) {
            Sql.exec(c, "CREATE TABLE public." + TABLE + " (aid integer NOT NULL, bid integer NOT NULL,"
                    + " abalance integer NOT NULL, filler character(84))");
            Sql.exec(c, "INSERT INTO public." + TABLE + " SELECT g, (g - 1) / 100000 + 1, 0, '' FROM generate_series(1, "
                    + tableRows + ") g");
            Sql.exec(c, "ALTER TABLE public." + TABLE + " ADD PRIMARY KEY (aid)");
            Sql.exec(c, "VACUUM (ANALYZE) public." + TABLE);
            Sql.exec(c, WORKLOAD_PROCEDURE);
        }
        // Every consumer of every round gets its own slot (the EchoDB ones also their mirror, copied and RUNNING)
        // before the workload exists, so all of them retain exactly the same WAL.
        String candidate = System.getProperty("bench.candidate.core", "");
        List<String> variants = candidate.isBlank() ? List.of("") : List.of("", "cand");
        java.util.Map<String, Engines.Names> names = new java.util.HashMap<>();
        for (int r = 1; r <= rounds; r++) {
            for (String v : variants) {
                String id = v + r;
                Engines.Names ch = new Engines.Names(pgDb, "bench_cdc_ch_" + id, "bench_cdc_ch_pub_" + id, "_bench_cdc_ch_" + id);
                Endpoints.Sink sink = ep.clickHouseSink(chDbs.get(r - 1));
                try {
                    setUpMirror(ch, table, sink.sink(), v.isEmpty() ? TABLE : TABLE + "_" + v);
                } finally {
                    sink.gateway().close();
                }
                names.put("ch" + id, ch);
                Engines.Names noop = new Engines.Names(pgDb, "bench_cdc_noop_" + id, "bench_cdc_noop_pub_" + id,
                        "_bench_cdc_noop_" + id);
                setUpMirror(noop, table, new NoopSink(), TABLE);
                names.put("noop" + id, noop);
            }
        }
        try (Connection c = ep.pg(pgDb)) {
            for (int r = 1; r <= rounds; r++) {
                for (String name : List.of("bench_cdc_dbz_" + r, "bench_cdc_recv_" + r)) {
                    Sql.exec(c, "CREATE PUBLICATION " + name + "_pub FOR TABLE public." + TABLE);
                    Sql.exec(c, "SELECT pg_create_logical_replication_slot('" + name + "', 'pgoutput')");
                }
            }
        }
        Bench.progress("  %d slots ready; writing %,d single-row transactions in %d sessions", (2 + 2 * variants.size()) * rounds,
                changes, sessions);
        String startLsn;
        long workloadNanos;
        String endLsn;
        try (Connection c = ep.pg(pgDb)) {
            startLsn = Sql.queryString(c, "SELECT pg_current_wal_lsn()::text");
            workloadNanos = runWorkload(tableRows, changes, sessions);
            endLsn = Sql.queryString(c, "SELECT pg_current_wal_lsn()::text");
        }
        long walBytes;
        try (Connection c = ep.pg(pgDb)) {
            walBytes = Sql.queryLong(c, "SELECT pg_wal_lsn_diff('" + endLsn + "', '" + startLsn + "')::bigint");
        }
        Bench.progress("  workload: %s (%,.0f changes/s), %,d bytes of WAL", Stats.ms(workloadNanos),
                changes / (workloadNanos / 1e9), walBytes);

        Path recv = recvlogicalBinary();
        String recvVersion = version(recv);
        List<Drain> recvs = new ArrayList<>();
        List<Drain> noops = new ArrayList<>();
        List<Drain> chs = new ArrayList<>();
        List<Drain> dbzs = new ArrayList<>();
        List<Drain> candNoops = new ArrayList<>();
        List<Drain> candChs = new ArrayList<>();
        List<String> verifications = new ArrayList<>();
        long sinkWrites = 0;
        long sinkWriteNanos = 0;
        for (int r = 1; r <= rounds; r++) {
            String round = rounds > 1 ? " (round " + r + ")" : "";
            ServiceCpu.Sample c0 = cpu.sample();
            Drain recvDrain = drainRecvlogical(recv, "bench_cdc_recv_" + r, endLsn, changes, r);
            ServiceCpu.Sample c1 = cpu.sample();
            recvs.add(recvDrain.withServices(c1.minus(c0)));
            Bench.progress("  pg_recvlogical%s: %,.0f changes/s", round, recvDrain.changesPerSec());

            ServiceCpu.Sample c3 = c1;
            for (String v : variants) {
                String id = v + r;
                String cp = v.isEmpty() ? System.getProperty("java.class.path") : candidateClassPath(candidate);
                String label = v.isEmpty() ? "" : " [candidate core]";
                Engines.Names noop = names.get("noop" + id);
                String noopName = "cdc-echodb-noop-" + (v.isEmpty() ? "" : v + "-") + r;
                Drain noopDrain = drainOf(noopName, runChild(noopName, List.of("echodb-noop", pgDb, noop.slot(),
                        noop.publication(), noop.stateSchema(), Long.toString(changes)), cp));
                ServiceCpu.Sample c2 = cpu.sample();
                (v.isEmpty() ? noops : candNoops).add(noopDrain.withServices(c2.minus(c3)));
                Bench.progress("  EchoDB source, no-op sink%s%s: %,.0f changes/s", label, round, noopDrain.changesPerSec());

                Engines.Names ch = names.get("ch" + id);
                String chName = "cdc-echodb-clickhouse-" + (v.isEmpty() ? "" : v + "-") + r;
                ChildProcess.Outcome chOutcome = runChild(chName, List.of("echodb-ch", pgDb, ch.slot(), ch.publication(),
                        ch.stateSchema(), Long.toString(changes), chDbs.get(r - 1)), cp);
                c3 = cpu.sample();
                Drain chDrain = drainOf(chName, chOutcome).withServices(c3.minus(c2));
                (v.isEmpty() ? chs : candChs).add(chDrain);
                if (v.isEmpty()) {
                    sinkWrites += chOutcome.num("sink_writes");
                    sinkWriteNanos += chOutcome.num("sink_write_ns");
                }
                Bench.progress("  EchoDB into ClickHouse%s%s: %,.0f changes/s", label, round, chDrain.changesPerSec());
                verifications.add(verify(tableRows, chDbs.get(r - 1), v.isEmpty() ? TABLE : TABLE + "_" + v));
                Bench.progress("  %s", verifications.get(verifications.size() - 1));
            }

            ServiceCpu.Sample c4 = cpu.sample();
            ChildProcess.Outcome dbzOutcome = ChildProcess.java("cdc-debezium-" + r, DrainMain.class, List.of("debezium", pgDb,
                    "bench_cdc_dbz_" + r, "bench_cdc_dbz_" + r + "_pub", "public." + TABLE, Long.toString(changes)),
                    ep.toEnv(), Duration.ofHours(2), ChildProcess.peerClassPath());
            if (dbzOutcome.exitCode() != 0 || dbzOutcome.result().isEmpty()) {
                throw new IllegalStateException("Debezium failed (exit " + dbzOutcome.exitCode() + "); see " + dbzOutcome.stderr());
            }
            Drain dbz = drainOf("cdc-debezium-" + r, dbzOutcome).withServices(cpu.sample().minus(c4));
            dbzs.add(dbz);
            Bench.progress("  Debezium embedded, no-op consumer%s: %,.0f changes/s", round, dbz.changesPerSec());
        }
        return new Result(changes, tableRows, walBytes, workloadNanos, sessions, new Rounds(recvs), new Rounds(noops),
                new Rounds(chs), new Rounds(dbzs), recv.toString(), recvVersion, String.join("; ", verifications),
                sinkWrites, sinkWriteNanos, candNoops.isEmpty() ? null : new Rounds(candNoops),
                candChs.isEmpty() ? null : new Rounds(candChs));
    }

    private void setUpMirror(Engines.Names names, TableRef table, ChangeSink sink, String target) {
        try (NativeMirrorEngine engine = Engines.engine(ep, names, Engines.source(ep, names), sink)) {
            engine.start();
            MirrorSpec spec = new MirrorSpec(Engines.spec(table).name(), table, target);
            engine.create(spec);
            Engines.awaitRunning(engine, spec.name(), Duration.ofMinutes(30));
        }
    }

    private long runWorkload(long tableRows, long changes, int sessions) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        try {
            List<Future<?>> runs = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int s = 0; s < sessions; s++) {
                int session = s;
                runs.add(pool.submit(() -> {
                    try (Connection c = ep.pg(pgDb)) {
                        Sql.exec(c, "CALL public.bench_cdc_workload(" + session + ", " + sessions + ", "
                                + changes / sessions + ", " + tableRows + ")");
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
            return System.nanoTime() - t0;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Drains the slot with pg_recvlogical up to {@code endLsn}, then runs it once more on the now drained slot: that
     * second run is its start-up and shut-down cost, which is taken off so its rate is comparable with the JVM
     * consumers' first-to-last-change rates.
     */
    private Drain drainRecvlogical(Path binary, String slot, String endLsn, long changes, int round) throws IOException {
        long[] full = recvlogical(binary, slot, endLsn, "cdc-pg_recvlogical-" + round);
        long[] empty = recvlogical(binary, slot, endLsn, "cdc-pg_recvlogical-empty-" + round);
        long overhead = empty[0] < full[0] / 2 ? empty[0] : 0;
        return new Drain("pg_recvlogical-" + round, changes, full[0], overhead, full[0] - overhead, 0, 0, 0, full[1], full[2],
                0, full[1], "", null);
    }

    /** {wall nanos, CPU nanos, peak RSS KiB} of one pg_recvlogical run up to {@code endLsn}. */
    private long[] recvlogical(Path binary, String slot, String endLsn, String name) throws IOException {
        List<String> cmd = List.of("/usr/bin/time", "-f", "BENCH-TIME %e %U %S %M", binary.toString(),
                "--dbname=host=" + ep.pgHost() + " port=" + ep.pgPort() + " dbname=" + pgDb + " user=" + ep.pgUser()
                        + " application_name=bench_recvlogical",
                "--slot=" + slot, "--start", "--endpos=" + endLsn, "--no-loop", "--fsync-interval=0",
                "--option=proto_version=1", "--option=publication_names=" + slot + "_pub", "--file=/dev/null");
        ChildProcess.Outcome o = ChildProcess.run(name, cmd, Map.of("PGPASSWORD", ep.pgPassword()), Duration.ofHours(1));
        String timeLine = Files.readAllLines(o.stderr()).stream().filter(l -> l.startsWith("BENCH-TIME ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("pg_recvlogical printed no timing; see " + o.stderr()));
        if (o.exitCode() != 0) {
            throw new IllegalStateException("pg_recvlogical exited with " + o.exitCode() + "; see " + o.stderr());
        }
        String[] t = timeLine.split("\\s+");
        long cpuNanos = (long) ((Double.parseDouble(t[2]) + Double.parseDouble(t[3])) * 1e9);
        return new long[] {o.wallNanos(), cpuNanos, Long.parseLong(t[4])};
    }

    /** The harness's class path with echodb-core replaced by a candidate build of it. */
    private static String candidateClassPath(String jar) {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            entries.add(Path.of(e).getFileName().toString().matches("echodb-core-[^/]*(?<!tests)\\.jar") ? jar : e);
        }
        if (!entries.contains(jar)) {
            throw new IllegalStateException("no echodb-core jar on the class path to replace with " + jar);
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private ChildProcess.Outcome runChild(String name, List<String> args, String classPath) {
        ChildProcess.Outcome o = ChildProcess.java(name, DrainMain.class, args, ep.toEnv(), Duration.ofHours(2), classPath);
        if (o.exitCode() != 0 || o.result().isEmpty()) {
            throw new IllegalStateException(name + " failed (exit " + o.exitCode() + "); see " + o.stderr());
        }
        return o;
    }

    private static Drain drainOf(String name, ChildProcess.Outcome o) {
        return new Drain(name, o.num("changes"), o.num("total_ns"), o.num("first_ns"), o.num("stream_ns"),
                o.num("second_half_ns"), o.num("second_half_changes"), o.num("second_half_cpu_ns"), o.num("cpu_ns"),
                o.num("rss_peak_kib"), o.num("gc_ms"), o.num("app_cpu_ns"), o.result().getOrDefault("threads_ms", ""), null);
    }

    /** The ClickHouse table, read with FINAL, must equal the source: same row count and same sum of balances. */
    private String verify(long tableRows, String chDb, String target) throws java.sql.SQLException {
        long pgCount;
        long pgSum;
        try (Connection c = ep.pg(pgDb)) {
            pgCount = Sql.queryLong(c, "SELECT count(*) FROM public." + TABLE);
            pgSum = Sql.queryLong(c, "SELECT sum(abalance) FROM public." + TABLE);
        }
        try (var g = ep.clickHouse(chDb)) {
            Object[] row = g.query("SELECT count(), sum(abalance) FROM `" + chDb + "`.`" + target + "` FINAL",
                    "verify the CDC target").rows().get(0);
            long chCount = ((Number) row[0]).longValue();
            long chSum = ((Number) row[1]).longValue();
            if (chCount != pgCount || chSum != pgSum || pgCount != tableRows) {
                throw new IllegalStateException("ClickHouse (FINAL) differs from PostgreSQL after the drain: count "
                        + chCount + " vs " + pgCount + ", sum(abalance) " + chSum + " vs " + pgSum);
            }
            return "verified " + chDb + "." + target + ": ClickHouse FINAL = PostgreSQL (" + chCount + " rows, sum(abalance) "
                    + chSum + ")";
        }
    }

    /**
     * pg_recvlogical: {@code ECHODB_BENCH_PG_RECVLOGICAL}, else next to the embedded server's binaries (zonky ships
     * only initdb, pg_ctl and postgres, so usually absent), else the newest system PostgreSQL client, else PATH.
     */
    static Path recvlogicalBinary() {
        String env = System.getenv("ECHODB_BENCH_PG_RECVLOGICAL");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        List<Path> candidates = new ArrayList<>();
        for (String cache : List.of("/var/tmp", System.getProperty("user.home") + "/.cache")) {
            try (Stream<Path> dirs = Files.walk(Path.of(cache), 3)) {
                dirs.filter(p -> p.getFileName() != null && p.getFileName().toString().equals("bin")
                                && p.toString().contains("echodb"))
                        .map(p -> p.resolve("pg_recvlogical")).filter(Files::isExecutable).forEach(candidates::add);
            } catch (IOException | RuntimeException e) {
                // no such cache
            }
        }
        if (!candidates.isEmpty()) {
            return candidates.get(0);
        }
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            var best = versions.map(v -> v.resolve("bin/pg_recvlogical")).filter(Files::isExecutable)
                    .max(Comparator.comparingInt(p -> Integer.parseInt(p.getParent().getParent().getFileName().toString())));
            if (best.isPresent()) {
                return best.get();
            }
        } catch (IOException | RuntimeException e) {
            // no system PostgreSQL
        }
        return Path.of("pg_recvlogical");
    }

    static String version(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("pg_recvlogical not found (" + binary + "): install the PostgreSQL client "
                    + "(apt-get install postgresql-client) or set ECHODB_BENCH_PG_RECVLOGICAL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    /** Single-row changes, one per transaction; each session owns its rows, so sessions never wait on each other. */
    static final String WORKLOAD_PROCEDURE = """
            CREATE OR REPLACE PROCEDURE public.bench_cdc_workload(p_session int, p_sessions int, p_changes bigint, p_rows bigint)
            LANGUAGE plpgsql AS $$
            DECLARE
              i bigint := 0;
              ins bigint := 0;
              del bigint := 0;
              per_session bigint := p_rows / p_sessions;
              k bigint;
              n bigint;
            BEGIN
              WHILE i < p_changes LOOP
                IF i % 10 < 6 THEN
                  k := ((i * 7919) % per_session) * p_sessions + p_session + 1;
                  UPDATE public.cdc_accounts SET abalance = abalance + 1 WHERE aid = k;
                ELSIF i % 10 < 8 THEN
                  k := p_rows + 1 + ins * p_sessions + p_session;
                  INSERT INTO public.cdc_accounts (aid, bid, abalance, filler) VALUES (k, 1, 0, '');
                  ins := ins + 1;
                ELSE
                  k := p_rows + 1 + del * p_sessions + p_session;
                  DELETE FROM public.cdc_accounts WHERE aid = k;
                  del := del + 1;
                END IF;
                GET DIAGNOSTICS n = ROW_COUNT;
                IF n <> 1 THEN
                  RAISE EXCEPTION 'change % of session % touched % rows', i, p_session, n;
                END IF;
                COMMIT;
                i := i + 1;
              END LOOP;
            END $$""";
}
