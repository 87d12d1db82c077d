package io.echodb.bench;

import java.util.List;
import java.util.Locale;

/**
 * How big each measurement is. {@code quick} is for development (the whole run stays within about five minutes on a
 * 2-core machine); {@code full} has the sizes the benchmark issue asks for.
 *
 * @param mode               quick or full
 * @param narrowRows         rows of the pgbench_accounts-like snapshot table
 * @param wideRows           rows of the wide mixed-type snapshot table
 * @param cdcTableRows       rows of the table the CDC workload changes
 * @param cdcChanges         single-row changes (one per transaction) of the CDC workload
 * @param workloadSessions   sessions generating the CDC workload in parallel
 * @param snapshotRounds     times EchoDB copies each snapshot table (the best run counts)
 * @param cdcRounds          times every CDC consumer drains the workload (interleaved; the best round counts)
 * @param latencyRates       offered change rates of the latency measurement (changes/s)
 * @param latencySeconds     measured seconds per rate
 * @param latencyWarmupSeconds seconds per rate run before the measured window (excluded)
 * @param autoMirrorTables   tables created for the auto-mirror reaction measurement
 * @param sweepTables        table counts at which the catalog sweep (DDL capture without event triggers) is timed
 * @param burstTables        tables created in one transaction for the auto-mirror burst measurement
 */
record Sizes(String mode, long narrowRows, long wideRows, int snapshotRounds, long cdcTableRows, long cdcChanges,
             int workloadSessions, int cdcRounds, List<Integer> latencyRates, int latencySeconds, int latencyWarmupSeconds, int autoMirrorTables,
             List<Integer> sweepTables, int burstTables) {

    static Sizes of(String mode) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "quick" -> new Sizes("quick", 500_000, 100_000, 2, 100_000, 300_000, 2, 2, List.of(1_000, 5_000, 20_000),
                    10, 2, 20, List.of(100, 1_000), 200);
            // checks the harness end to end in about a minute; its figures mean nothing
            case "smoke" -> new Sizes("smoke", 20_000, 5_000, 1, 10_000, 20_000, 2, 1, List.of(1_000, 5_000), 3, 1, 3, List.of(20), 10);
            case "full" -> new Sizes("full", 5_000_000, 1_000_000, 2, 1_000_000, 1_000_000, 2, 2,
                    List.of(1_000, 5_000, 20_000), 60, 5, 50, List.of(100, 1_000, 5_000), 200);
            default -> throw new IllegalArgumentException("mode must be quick, full or smoke, got '" + mode + "'");
        };
    }
}
