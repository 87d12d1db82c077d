package io.echodb.runner.chaos;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What one chaos run did and checked; {@link #summary} is the table printed at the end. */
final class ChaosStats {

    final long seed;
    final Set<ChaosOp> ops;
    final long startedAt = System.nanoTime();
    int rounds;
    int steps;
    long statements;
    final Map<ChaosOp, Integer> opsPerFamily = new EnumMap<>(ChaosOp.class);
    final Map<ChaosOp, Long> statementsPerFamily = new EnumMap<>(ChaosOp.class);
    final Map<ChaosOp, Long> slowestPerFamilyMillis = new EnumMap<>(ChaosOp.class);
    int stops;
    int kills;
    int starts;
    int chStalls;
    int chCuts;
    int pgRestarts;
    int pgCuts;
    int leaderChanges;
    long slowestTakeoverMillis;
    int recoveredFromFailed;
    int resyncs;
    int resyncsRefused;
    int quiescence;
    long i1Tables;
    long i1Rows;
    long checkerAgreements;
    long checkerInconclusive;
    long i3Mirrors;
    long i3Expectations;
    long settleNanos;
    long checkNanos;
    int violations;
    final List<String> notes = new ArrayList<>();

    ChaosStats(long seed, Set<ChaosOp> ops) {
        this.seed = seed;
        this.ops = ops;
    }

    void op(ChaosOp family, int statementCount, long millis) {
        opsPerFamily.merge(family, 1, Integer::sum);
        statementsPerFamily.merge(family, (long) statementCount, Long::sum);
        slowestPerFamilyMillis.merge(family, millis, Math::max);
        statements += statementCount;
    }

    void note(String note) {
        if (notes.size() < 50) {
            notes.add("round " + rounds + ": " + note);
        }
    }

    String summary() {
        StringBuilder sb = new StringBuilder();
        long seconds = (System.nanoTime() - startedAt) / 1_000_000_000L;
        sb.append(String.format("schema chaos summary — seed %d, %d round(s), %d:%02d min, %s%n", seed, rounds,
                seconds / 60, seconds % 60, violations == 0 ? "no invariant violation" : violations + " VIOLATION(S)"));
        sb.append(String.format("  %-28s %8s %11s %12s%n", "operation family", "steps", "statements", "slowest ms"));
        for (ChaosOp op : ChaosOp.values()) {
            if (!ops.contains(op) && !opsPerFamily.containsKey(op)) {
                continue;
            }
            sb.append(String.format("  %-28s %8d %11d %12d%s%n", op.id(), opsPerFamily.getOrDefault(op, 0),
                    statementsPerFamily.getOrDefault(op, 0L), slowestPerFamilyMillis.getOrDefault(op, 0L),
                    op.byDefault ? "" : "   (off by default)"));
        }
        sb.append(String.format("  %-28s %8d %11d%n", "total", steps, statements));
        sb.append(String.format("  faults: %d graceful restart(s), %d hard kill(s), %d worker start(s); %d resync(s) requested"
                + " (%d refused)%n", stops, kills, starts, resyncs, resyncsRefused));
        if (chStalls + chCuts + pgRestarts + pgCuts + leaderChanges > 0) {
            sb.append(String.format("  faults while running: %d ClickHouse stall(s), %d ClickHouse cut(s), %d PostgreSQL restart(s)%s,"
                    + " %d leader change(s) (slowest takeover %d ms); %d mirror(s) recovered from FAILED after a fault%n",
                    chStalls, chCuts, pgRestarts, pgCuts == 0 ? "" : " (+" + pgCuts + " cut(s) of the worker's PostgreSQL"
                    + " connections instead: the server could not be restarted)", leaderChanges, slowestTakeoverMillis,
                    recoveredFromFailed));
        }
        sb.append(String.format("  checks passed: quiescence %d/%d rounds; I1 %d table comparisons (%d rows, row for row);"
                + " I3 %d mirror states, %d as expected; checksum checker agreed %d time(s) (%d inconclusive)%n",
                quiescence, rounds, i1Tables, i1Rows, i3Mirrors, i3Expectations, checkerAgreements, checkerInconclusive));
        sb.append(String.format("  time: waiting for quiescence %d s, comparing %d s%n", settleNanos / 1_000_000_000L,
                checkNanos / 1_000_000_000L));
        for (String note : notes) {
            sb.append("  note: ").append(note).append('\n');
        }
        return sb.toString();
    }
}
