package io.echodb.bench;

import io.echodb.adapters.clickhouse.testing.ClickHouseTestService;
import io.echodb.adapters.postgres.testing.PostgresTestService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The benchmark command: starts the same real services the tests use (PostgreSQL 17 from {@link PostgresTestService},
 * ClickHouse from {@link ClickHouseTestService}), runs every measurement in its own databases, prints a markdown
 * report and writes it into docs/BENCHMARKS.md (between the markers of its mode; everything else in the file is kept).
 *
 * <p>Arguments: {@code quick|full} (default quick), optionally {@code --only snapshot,cdc,latency,auto,sweep} and
 * {@code --no-docs} (do not touch docs/BENCHMARKS.md). System properties: {@code bench.command} (the command line to
 * record), {@code bench.jfr.dir} (record every measured child JVM with JFR into that directory).
 */
public final class Bench {

    private static final long START = System.nanoTime();
    private static Path logDir;

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = "quick";
        Set<String> only = new LinkedHashSet<>(List.of("snapshot", "cdc", "latency", "auto", "sweep"));
        boolean docs = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "quick", "full", "smoke" -> mode = args[i];
                case "--only" -> only = new LinkedHashSet<>(List.of(args[++i].split(",")));
                case "--no-docs" -> docs = false;
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; usage: [quick|full] [--only snapshot,cdc,latency,auto,sweep] [--no-docs]");
            }
        }
        Sizes sizes = Sizes.of(mode);
        Path repo = repositoryRoot();
        logDir = Path.of("target", "bench-logs").toAbsolutePath();
        Files.createDirectories(logDir);
        Report report = new Report(sizes, System.getProperty("bench.command", "bench/run.sh " + mode), Instant.now());
        report.loadBefore = ProcStats.loadAverage();

        progress("starting PostgreSQL and ClickHouse (the test services)");
        PostgresTestService pg = PostgresTestService.get();
        ClickHouseTestService ch = ClickHouseTestService.get();
        Endpoints ep = new Endpoints(pg.host(), pg.port(), pg.user(), pg.password(), ch.host(), ch.port(), ch.user(),
                ch.password());
        String chVersion;
        try (var g = ep.clickHouse("default")) {
            Object v = g.query("SELECT version()", "read the ClickHouse version").rows().get(0)[0];
            chVersion = v instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(v);
        }
        Path recv = CdcBench.recvlogicalBinary();
        report.machine = new Machine(Machine.readCpuModel(), Runtime.getRuntime().availableProcessors(), Machine.readMemoryMib(),
                Machine.readOs(), Machine.readJdk(), "PostgreSQL " + pg.version() + " (" + postgresOrigin(pg) + ")",
                "ClickHouse " + chVersion + " (" + clickhouseOrigin(ch, repo) + ")",
                CdcBench.version(recv) + " at " + recv, Machine.debeziumVersion(), Machine.gitCommit(repo));
        progress("PostgreSQL %s, ClickHouse %s", pg.version(), chVersion);
        ServiceCpu cpu = new ServiceCpu(pg.port(), ch.port());
        report.serviceCpuKnown = cpu.known();

        List<String> databases = new ArrayList<>();
        if (only.contains("snapshot")) {
            report.snapshot = phase(report, "snapshot", () -> {
                String db = pg.createDatabase("bench_snapshot");
                databases.add(db);
                SnapshotBench b = new SnapshotBench(ep, db, ch.createDatabase("bench_snapshot"), cpu, sizes.snapshotRounds());
                return List.of(b.narrow(sizes.narrowRows()), b.wide(sizes.wideRows()));
            });
        }
        if (only.contains("cdc")) {
            report.cdc = phase(report, "cdc", () -> {
                String db = pg.createDatabase("bench_cdc");
                databases.add(db);
                List<String> chDbs = new ArrayList<>();
                for (int r = 0; r < sizes.cdcRounds(); r++) {
                    chDbs.add(ch.createDatabase("bench_cdc"));
                }
                return new CdcBench(ep, db, chDbs, cpu).run(sizes.cdcTableRows(), sizes.cdcChanges(), sizes.workloadSessions());
            });
        }
        if (only.contains("latency")) {
            report.latency = phase(report, "latency", () -> {
                String db = pg.createDatabase("bench_latency");
                databases.add(db);
                return new LatencyBench(ep, db, ch.createDatabase("bench_latency"))
                        .run(sizes.latencyRates(), sizes.latencySeconds(), sizes.latencyWarmupSeconds());
            });
        }
        if (only.contains("auto")) {
            report.autoMirror = phase(report, "auto", () -> {
                String db = pg.createDatabase("bench_auto");
                databases.add(db);
                return new AutoMirrorBench(ep, db, ch.createDatabase("bench_auto")).run(sizes.autoMirrorTables(), sizes.burstTables());
            });
        }
        if (only.contains("sweep")) {
            report.catalogSweep = phase(report, "sweep", () -> {
                String db = pg.createDatabase("bench_sweep");
                databases.add(db);
                return new CatalogSweepBench(ep, db).run(sizes.sweepTables());
            });
        }
        report.loadAfter = ProcStats.loadAverage();
        report.totalNanos = System.nanoTime() - START;
        String jfrDir = System.getProperty("bench.jfr.dir");
        if (jfrDir != null && !jfrDir.isBlank()) {
            report.profiles = JfrTop.summarizeDirectory(Path.of(jfrDir));
        }

        String markdown = report.markdown();
        System.out.println();
        System.out.println(markdown);
        Path out = logDir.resolve("results-" + mode + ".md");
        Files.writeString(out, markdown);
        if (docs) {
            Path file = repo.resolve("docs/BENCHMARKS.md");
            Report.writeInto(file, mode, markdown);
            progress("results written to %s (section %s) and %s", file, mode, out);
        } else {
            progress("results written to %s", out);
        }
        for (String db : databases) {
            try {
                pg.dropDatabase(db);
            } catch (RuntimeException e) {
                progress("could not drop database %s: %s", db, e.getMessage());
            }
        }
        System.exit(report.failures.isEmpty() ? 0 : 1);
    }

    interface Phase<T> {
        T run() throws Exception;
    }

    private static <T> T phase(Report report, String name, Phase<T> phase) {
        progress("== %s", name);
        double load0 = ProcStats.loadAverage();
        long t0 = System.nanoTime();
        try {
            return phase.run();
        } catch (Exception | Error e) {
            progress("%s FAILED: %s", name, e);
            e.printStackTrace(System.out);
            report.failures.add(name + ": " + e.getMessage());
            return null;
        } finally {
            long took = System.nanoTime() - t0;
            report.phaseTimes.add(new Report.PhaseTime(name, took, load0, ProcStats.loadAverage()));
            progress("== %s took %.1f s", name, took / 1e9);
        }
    }

    static void progress(String format, Object... args) {
        System.out.printf("[%6.1f s] %s%n", (System.nanoTime() - START) / 1e9, String.format(format, args));
        System.out.flush();
    }

    static Path logDir() {
        if (logDir == null) {
            logDir = Path.of("target", "bench-logs").toAbsolutePath();
        }
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + logDir, e);
        }
        return logDir;
    }

    private static String postgresOrigin(PostgresTestService pg) {
        String d = pg.describe();
        if (d.startsWith("embedded")) {
            return "embedded zonky binaries, PostgresTestService; fsync=off, synchronous_commit=off";
        }
        return d.replaceAll(",.*", "");
    }

    private static String clickhouseOrigin(ClickHouseTestService ch, Path repo) {
        String origin = ch.origin();
        if (origin.startsWith("local chDB")) {
            String chdb = "?";
            try {
                String pkg = Files.readString(repo.resolve("compose/local/package.json"));
                var m = java.util.regex.Pattern.compile("\"chdb\"\\s*:\\s*\"([^\"]+)\"").matcher(pkg);
                if (m.find()) {
                    chdb = m.group(1);
                }
            } catch (IOException e) {
                // unknown
            }
            return "chDB " + chdb + " (npm) behind compose/local/clickhouse-http.mjs, which runs one statement at a time";
        }
        return origin;
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("echodb-core")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("run the benchmark from inside the EchoDB repository");
    }
}
