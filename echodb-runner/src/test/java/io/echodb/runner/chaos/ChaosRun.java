package io.echodb.runner.chaos;

import io.echodb.runner.chaos.Invariants.Violation;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One seeded chaos run in a world of its own: setup tables, first worker, then rounds of generated steps, each
 * followed by the invariant checks, until the round limit or the deadline. Stops at the first round with a violation
 * and throws an {@link AssertionError} naming the seed, the round, the violations and the statements that touched the
 * affected tables in that round. Every statement is also written to {@code target/chaos/chaos-<seed>.sql}.
 */
final class ChaosRun {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosRun.class);

    /** What to run. {@code deadlineNanos} 0 = run {@code rounds} rounds. */
    record Settings(long seed, Set<ChaosOp> ops, int rounds, long deadlineNanos, int stepsPerRound, int initialTables,
                    int bulkRows, Duration settleTimeout, boolean askChecker) {
    }

    private final Settings settings;
    private final ChaosStats stats;
    private final Generator generator;
    private final Map<String, List<String>> roundLog = new HashMap<>();
    private PrintWriter sqlLog;
    private int round;
    private boolean selfTested;
    /** Whether this round had a fault the worker must recover from by itself (see {@link Invariants#check}). */
    private boolean faultRound;

    ChaosRun(Settings settings) {
        this.settings = settings;
        this.stats = new ChaosStats(settings.seed(), settings.ops());
        this.generator = new Generator(settings.seed(), settings.ops(), settings.bulkRows());
    }

    ChaosStats stats() {
        return stats;
    }

    /** Runs to the end; throws AssertionError on the first round with violations. */
    void run() {
        Path dir = Path.of("target", "chaos");
        try {
            Files.createDirectories(dir);
            sqlLog = new PrintWriter(Files.newBufferedWriter(dir.resolve("chaos-" + settings.seed() + ".sql"),
                    StandardCharsets.UTF_8), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sqlLog.println("-- schema chaos seed " + settings.seed() + ", operation families " + ids(settings.ops()));
        try (ChaosWorld world = new ChaosWorld("chaos")) {
            Invariants invariants = new Invariants(world, settings.settleTimeout(), settings.askChecker(), stats);
            sqlLog.println("-- PostgreSQL database " + world.pgDb + ", ClickHouse database " + world.chDb);
            round = 0;
            List<Violation> failures = new ArrayList<>();
            for (Step step : generator.setup(settings.initialTables())) {
                execute(world, step, failures);
            }
            failIfAny(failures, world);
            world.startWorker();
            stats.starts++;
            while (true) {
                round++;
                if (settings.deadlineNanos() == 0 ? round > settings.rounds() : System.nanoTime() > settings.deadlineNanos()) {
                    break;
                }
                stats.rounds = round;
                roundLog.clear();
                faultRound = false;
                generator.beginRound(round);
                sqlLog.println("\n-- ===== round " + round);
                LOG.info("chaos seed {} round {}: {} steps", settings.seed(), round, settings.stepsPerRound());
                for (int i = 0; i < settings.stepsPerRound() && failures.isEmpty(); i++) {
                    for (Step step : generator.next()) {
                        execute(world, step, failures);
                        if (!failures.isEmpty()) {
                            break;
                        }
                    }
                }
                for (Step step : generator.endRound()) {
                    execute(world, step, failures);
                }
                int waitedFor = world.finishFaults(); // a fault ends within its round, a second worker is stopped
                if (waitedFor > 0) {
                    sqlLog.println("-- the round's last fault ended");
                }
                if (!world.workerRunning()) { // after an aborted round
                    world.startWorker();
                    stats.starts++;
                }
                String wal = walPosition(world);
                sqlLog.println("-- round " + round + " ends at WAL " + wal + "; checking");
                failures.addAll(invariants.check(generator.m, wal, faultRound));
                failIfAny(failures, world);
                if (!selfTested) {
                    String proof = invariants.selfTest(generator.m);
                    if (proof != null) {
                        selfTested = true;
                        stats.note("self-test: " + proof);
                    }
                }
                LOG.info("chaos seed {} round {} passed: {} statements so far", settings.seed(), round, stats.statements);
                System.out.println("chaos seed " + settings.seed() + ": round " + round + " passed (" + stats.statements
                        + " statements, " + stats.i1Tables + " table comparisons so far)");
            }
        } finally {
            sqlLog.close();
        }
    }

    private void failIfAny(List<Violation> failures, ChaosWorld world) {
        if (failures.isEmpty()) {
            return;
        }
        stats.violations += failures.size();
        StringBuilder sb = new StringBuilder();
        sb.append("schema chaos: ").append(failures.size()).append(" invariant violation(s) in round ").append(round)
                .append(" of seed ").append(settings.seed()).append(" (replay: -Dchaos.seed=").append(settings.seed())
                .append(" -Dchaos.ops=").append(ids(settings.ops())).append(")\n");
        for (Violation v : failures) {
            sb.append("\n* ").append(v).append('\n');
            if (v.table() != null) {
                List<String> history = roundLog.getOrDefault(v.table(), List.of());
                sb.append("  statements on ").append(v.table()).append(" in round ").append(round).append(" (")
                        .append(history.size()).append("):\n");
                int from = Math.max(0, history.size() - 40);
                for (String s : history.subList(from, history.size())) {
                    sb.append("    ").append(shorten(s).replace("\n", "\n    ")).append('\n');
                }
            }
        }
        try {
            if (world.workerRunning()) {
                sb.append("\nmirrors: ").append(world.mirrors()).append('\n');
            }
        } catch (RuntimeException ignored) {
            // the report is what matters
        }
        sb.append("\nfull statement log: target/chaos/chaos-").append(settings.seed()).append(".sql\n");
        sqlLog.println("-- VIOLATIONS:\n-- " + sb.toString().replace("\n", "\n-- "));
        throw new AssertionError(sb.toString());
    }

    private void execute(ChaosWorld world, Step step, List<Violation> failures) {
        sqlLog.println(step.describe());
        for (String table : step.tables()) {
            roundLog.computeIfAbsent(table, k -> new ArrayList<>()).add(step.family().id() + ": " + step.describe());
        }
        long start = System.nanoTime();
        boolean running = world.workerRunning();
        if (!step.isSql() && step.kind() != Step.Kind.PAUSE
                && (step.kind() == Step.Kind.START_WORKER ? running : !running)) {
            // after an aborted operation the generator's idea of the worker can differ from the world's
            sqlLog.println("--   (skipped: the worker is " + (running ? "running" : "not running") + ")");
            return;
        }
        switch (step.kind()) {
            case STOP_WORKER -> {
                boolean inProcess = step.family() == ChaosOp.RESTART_IN_PROCESS;
                world.stopWorker(!inProcess);
                stats.stops++;
                if (inProcess) {
                    checkSlotReleased(world, failures);
                }
            }
            case KILL_WORKER -> {
                world.killWorker();
                stats.kills++;
            }
            case START_WORKER -> {
                world.startWorker();
                stats.starts++;
            }
            case RESYNC -> {
                String answer = world.resync(step.target());
                stats.resyncs++;
                // 202: accepted and still running (the API answers within 2 s; the resync goes on)
                if (!answer.startsWith("200") && !answer.startsWith("202")) {
                    stats.resyncsRefused++;
                    LOG.info("resync of {} refused: {}", step.target(), answer);
                }
                sqlLog.println("--   " + shorten(answer));
            }
            case PAUSE -> {
                try {
                    Thread.sleep(Long.parseLong(step.target()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            case FAULT -> fault(world, step, failures);
            default -> runSql(world, step, failures);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        stats.steps++;
        stats.op(step.family(), step.sql().size(), millis);
        if (step.isSql() && millis > 5000) {
            // I2 also asks that EchoDB never makes the application wait long on its locks
            stats.note("slow application step (" + millis + " ms, " + step.family().id() + "): " + shorten(step.describe()));
        }
    }

    /** DDL captured by the catalog sweep (SchemaChaosTest's chaos.capture=catalog) instead of event triggers. */
    static final boolean CATALOG_CAPTURE = "catalog".equals(System.getProperty("chaos.capture"));

    private static void rollbackQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException ignored) {
            // the connection is replaced on the next use
        }
    }

    private void runSql(ChaosWorld world, Step step, List<Violation> failures) {
        runSql(world, step, failures, 0, false);
    }

    /**
     * Runs the step's statements from index {@code from}. With DDL captured by the catalog sweep (chaos.capture=catalog),
     * an UPDATE/DELETE refused because its table just lost its replica identity is the documented window of that mode
     * (the table leaves the publication at the next sweep): it is counted, and retried once after two sweep intervals —
     * a second refusal is a violation. While no worker runs nothing sweeps (also documented): counted, not retried.
     */
    private void runSql(ChaosWorld world, Step step, List<Violation> failures, int from, boolean retried) {
        String current = null;
        int index = from;
        Connection c = null;
        boolean tx = step.kind() != Step.Kind.AUTOCOMMIT;
        try {
            c = world.application();
            c.setAutoCommit(!tx);
            try (Statement st = c.createStatement()) {
                for (index = tx ? 0 : from; index < step.sql().size(); index++) {
                    current = step.sql().get(index);
                    st.execute(current);
                }
            }
            current = null;
            if (step.kind() == Step.Kind.TRANSACTION) {
                c.commit();
            } else if (step.kind() == Step.Kind.ROLLBACK) {
                c.rollback();
            }
        } catch (SQLException e) {
            if (CATALOG_CAPTURE && "55000".equals(e.getSQLState()) && !world.workerRunning()
                    && String.valueOf(e.getMessage()).contains("does not have a replica identity")) {
                // the documented limit: with no worker, nothing sweeps, so the table stays published until one starts
                stats.note("catalog capture: refused while no worker ran (" + step.family().id() + "): " + shorten(current));
                sqlLog.println("-- REFUSED while no worker ran (catalog capture's documented limit): " + e.getMessage());
                rollbackQuietly(c);
                return;
            }
            if (!retried && CATALOG_CAPTURE && "55000".equals(e.getSQLState())
                    && String.valueOf(e.getMessage()).contains("does not have a replica identity")) {
                stats.note("catalog capture: refused within the sweep window, retried after 2 s (" + step.family().id()
                        + "): " + shorten(current));
                sqlLog.println("-- REFUSED within the catalog sweep window, retried: " + e.getMessage());
                rollbackQuietly(c);
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                runSql(world, step, failures, index, true);
                return;
            }
            String table = step.tables().isEmpty() ? null : step.tables().iterator().next();
            failures.add(new Violation("I2", table, "an application statement failed (" + step.family().id() + "): SQLState "
                    + e.getSQLState() + ": " + e.getMessage() + "\n  statement: " + shorten(current == null ? "COMMIT" : current)));
            sqlLog.println("-- FAILED: " + e.getMessage());
            if (c != null) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is replaced below
                }
            }
        } finally {
            if (c != null) {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // a broken connection is replaced on the next use
                }
            }
        }
    }

    /**
     * A fault while the worker runs. ClickHouse stalls and cuts last their time while the next steps run (ended at the
     * latest when the round ends); a PostgreSQL restart and a leader change are done when this returns.
     */
    private void fault(ChaosWorld world, Step step, List<Violation> failures) {
        faultRound = true;
        String done;
        switch (step.family()) {
            case CH_STALL -> {
                done = world.stallClickHouse(Long.parseLong(step.target()));
                stats.chStalls++;
            }
            case CH_CUT -> {
                done = world.cutClickHouse(Long.parseLong(step.target()));
                stats.chCuts++;
            }
            case PG_RESTART -> {
                if (world.canRestartPostgres()) {
                    stats.pgRestarts++;
                } else {
                    stats.pgCuts++;
                }
                done = world.restartPostgres(Long.parseLong(step.target()));
            }
            case LEADER_CHANGE, LEADER_STALL -> {
                ChaosWorld.LeaderChange change = world.changeLeader(step.target(), Duration.ofSeconds(60));
                stats.leaderChanges++;
                stats.slowestTakeoverMillis = Math.max(stats.slowestTakeoverMillis, change.takeoverMillis());
                if (change.failure() != null) {
                    failures.add(new Violation("I3/takeover", null, change.failure()));
                }
                done = change.description();
            }
            default -> throw new IllegalStateException("no fault for " + step.family());
        }
        sqlLog.println("--   " + done);
    }

    /** After a graceful close in this JVM, the worker's replication connection must be gone (the slot free). */
    private void checkSlotReleased(ChaosWorld world, List<Violation> failures) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Integer holder = world.slotHolder();
        while (holder != null && System.nanoTime() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            holder = world.slotHolder();
        }
        if (holder != null) {
            failures.add(new Violation("I2/slot-held", null, "15 s after EchoDbApplication.close() returned, walsender PID "
                    + holder + " still holds replication slot " + world.slot + ": no new worker can stream while this JVM lives"));
        }
    }

    private static String walPosition(ChaosWorld world) {
        try (Connection c = world.postgres(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String shorten(String s) {
        return s.length() > 600 ? s.substring(0, 600) + "… (" + s.length() + " chars)" : s;
    }

    static String ids(Set<ChaosOp> ops) {
        return String.join(",", ops.stream().map(ChaosOp::id).toList());
    }
}
