package io.echodb.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Turns the figures of one run into markdown: the summary table with targets and gaps, then the details. */
final class Report {

    record PhaseTime(String name, long nanos, double loadBefore, double loadAfter) { }

    private final Sizes sizes;
    private final String command;
    private final Instant startedAt;
    Machine machine;
    double loadBefore;
    double loadAfter;
    long totalNanos;
    List<SnapshotBench.Result> snapshot;
    CdcBench.Result cdc;
    List<LatencyBench.RateResult> latency;
    AutoMirrorBench.Result autoMirror;
    CatalogSweepBench.Result catalogSweep;
    String profiles;
    boolean serviceCpuKnown;
    final List<PhaseTime> phaseTimes = new ArrayList<>();
    final List<String> failures = new ArrayList<>();

    Report(Sizes sizes, String command, Instant startedAt) {
        this.sizes = sizes;
        this.command = command;
        this.startedAt = startedAt;
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("### Results: ").append(sizes.mode()).append(" mode, ")
                .append(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").format(startedAt.atZone(ZoneOffset.UTC)))
                .append("\n\n");
        md.append("Command: `").append(command).append("` (").append(String.format(Locale.ROOT, "%.0f", totalNanos / 1e9))
                .append(" s in total)\n\n");
        summary(md);
        if (!failures.isEmpty()) {
            md.append("\n**Failed measurements:**\n\n");
            failures.forEach(f -> md.append("- ").append(f.replace("\n", " ")).append('\n'));
        }
        machine(md);
        details(md);
        if (profiles != null && !profiles.isBlank()) {
            md.append("\n#### JFR profiles of the measured processes\n\n").append(profiles);
        }
        return md.toString();
    }

    // ------------------------------------------------------------------ summary

    private void summary(StringBuilder md) {
        md.append("| # | Measurement | EchoDB | Reference, same run | Ratio | Target | Gap |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        if (snapshot != null) {
            for (SnapshotBench.Result r : snapshot) {
                row(md, "1", "Snapshot into ClickHouse, " + (r.table().endsWith("narrow") ? "narrow" : "wide") + " table ("
                                + n(r.rows()) + " rows, " + mb(r.copyBytes()) + " as COPY text)",
                        rate(r.echoRowsPerSec(), "rows/s") + " · " + mbps(r.echoMBps()),
                        "`COPY … TO STDOUT`: " + rate(r.copyRowsPerSec(), "rows/s") + " · " + mbps(r.copyMBps()),
                        ratio(r.ratio()), "≥ 0.5× COPY", ratioGap(r.ratio(), 0.5));
            }
            for (SnapshotBench.Result r : snapshot) {
                row(md, "1", "Snapshot vs what this ClickHouse accepts at all (plain RowBinary HTTP inserts of the same rows, no EchoDB), "
                                + (r.table().endsWith("narrow") ? "narrow" : "wide") + " table",
                        rate(r.echoRowsPerSec(), "rows/s"), "HTTP inserts alone: " + rate(r.httpRowsPerSec(), "rows/s"),
                        ratio(r.httpNanos() / (double) r.echoBestNanos()), "(shows the sink's share)", "—");
            }
            for (SnapshotBench.Result r : snapshot) {
                row(md, "1", "Snapshot, EchoDB source with a no-op sink, " + (r.table().endsWith("narrow") ? "narrow" : "wide")
                                + " table", rate(r.noopRowsPerSec(), "rows/s") + " · " + mbps(r.copyBytes() / 1e6 / (r.noopBestNanos() / 1e9)),
                        "`COPY … TO STDOUT`: " + rate(r.copyRowsPerSec(), "rows/s"), ratio(r.noopRatio()),
                        "(shows the sink's share)", "—");
            }
            for (SnapshotBench.Result r : snapshot) {
                row(md, "1", "Snapshot, CPU µs per row of the copying process (all threads; into ClickHouse · no-op sink), "
                                + (r.table().endsWith("narrow") ? "narrow" : "wide") + " table",
                        String.format(Locale.ROOT, "%.2f · %.2f µs/row", r.echoCpuMicrosPerRow(), r.noopCpuMicrosPerRow()),
                        String.format(Locale.ROOT, "pgjdbc reading the plain COPY: %.2f µs/row", r.copyCpuMicrosPerRow()),
                        String.format(Locale.ROOT, "%.1f× · %.1f×", r.echoCpuMicrosPerRow() / r.copyCpuMicrosPerRow(),
                                r.noopCpuMicrosPerRow() / r.copyCpuMicrosPerRow()),
                        "(information: does not depend on how busy the machine is)", "—");
            }
        } else {
            missing(md, "1", "Snapshot");
        }
        if (cdc != null) {
            String w = " (" + n(cdc.changes()) + " single-row changes)";
            CdcBench.Drain ch = cdc.echoCh().best();
            CdcBench.Drain noop = cdc.echoNoop().best();
            CdcBench.Drain recv = cdc.recv().best();
            CdcBench.Drain dbz = cdc.debezium().best();
            double chVsRecv = ch.changesPerSec() / recv.changesPerSec();
            double noopVsRecv = noop.changesPerSec() / recv.changesPerSec();
            double noopVsDbz = noop.changesPerSec() / dbz.changesPerSec();
            double chVsDbz = ch.changesPerSec() / dbz.changesPerSec();
            row(md, "2", "CDC drained into ClickHouse" + w, rate(ch.changesPerSec(), "changes/s"),
                    "`pg_recvlogical`: " + rate(recv.changesPerSec(), "changes/s"), ratio(chVsRecv),
                    "≥ 0.8× pg_recvlogical", ratioGap(chVsRecv, 0.8));
            row(md, "2", "CDC, EchoDB source with a no-op sink" + w, rate(noop.changesPerSec(), "changes/s"),
                    "`pg_recvlogical`: " + rate(recv.changesPerSec(), "changes/s"), ratio(noopVsRecv),
                    "(shows the sink's share)", "—");
            row(md, "3", "Peer: EchoDB source + no-op sink vs Debezium embedded + no-op consumer" + w,
                    rate(noop.changesPerSec(), "changes/s"),
                    "Debezium " + machine.debezium() + ": " + rate(dbz.changesPerSec(), "changes/s"),
                    ratio(noopVsDbz), "≥ 2× Debezium", ratioGap(noopVsDbz, 2.0));
            if (cdc.candidateNoop() != null) {
                CdcBench.Drain cn = cdc.candidateNoop().best();
                CdcBench.Drain cc = cdc.candidateCh().best();
                row(md, "2", "Candidate echodb-core build (`-Dbench.candidate.core`), no-op sink, same rounds" + w,
                        rate(cn.changesPerSec(), "changes/s"), "built core: " + rate(noop.changesPerSec(), "changes/s")
                                + "; pg_recvlogical: " + rate(recv.changesPerSec(), "changes/s"),
                        ratio(cn.changesPerSec() / recv.changesPerSec()), "(before → after)",
                        String.format(Locale.ROOT, "%+.0f%% vs built core", 100 * (cn.changesPerSec() / noop.changesPerSec() - 1)));
                row(md, "2", "Candidate echodb-core build, into ClickHouse, same rounds" + w,
                        rate(cc.changesPerSec(), "changes/s"), "built core: " + rate(ch.changesPerSec(), "changes/s"),
                        ratio(cc.changesPerSec() / recv.changesPerSec()), "≥ 0.8× pg_recvlogical",
                        ratioGap(cc.changesPerSec() / recv.changesPerSec(), 0.8));
            }
            double cpuRatio = dbz.cpuMicrosPerChange() / noop.cpuMicrosPerChange();
            row(md, "3", "Peer, CPU per change (process CPU during the drain; the best rounds above)" + w,
                    String.format(Locale.ROOT, "%.1f µs/change", noop.cpuMicrosPerChange()),
                    String.format(Locale.ROOT, "Debezium: %.1f µs/change", dbz.cpuMicrosPerChange()),
                    ratio(cpuRatio) + " less", "(information: rates share PostgreSQL's decoding ceiling)", "—");
            row(md, "3", "EchoDB into ClickHouse vs Debezium with a no-op consumer" + w,
                    rate(ch.changesPerSec(), "changes/s"),
                    "Debezium: " + rate(dbz.changesPerSec(), "changes/s"), ratio(chVsDbz), "(information)", "—");
        } else {
            missing(md, "2, 3", "CDC throughput and peer");
        }
        if (latency != null) {
            for (LatencyBench.RateResult r : latency) {
                boolean target = r.offeredRate() == 5_000;
                String gap = target ? (r.stats().p99() < 1_000_000_000L
                        ? "✅ met (" + Stats.ms(r.stats().p99()) + " < 1 s)"
                        : "❌ missed: p99 is " + Stats.ms(r.stats().p99()) + ", " + Stats.ms(r.stats().p99() - 1_000_000_000L)
                        + " over") : "—";
                if (r.unseen() > 0) {
                    gap = "❌ " + n(r.unseen()) + " changes never seen";
                }
                row(md, "4", "Commit-to-visible latency (FINAL) at " + n(r.offeredRate()) + " changes/s offered, "
                                + n(Math.round(r.achievedRate())) + "/s achieved, " + sizes.latencySeconds() + " s",
                        "p50 " + Stats.ms(r.stats().p50()) + " · p95 " + Stats.ms(r.stats().p95()) + " · p99 "
                                + Stats.ms(r.stats().p99()), "—", "—", target ? "p99 < 1 s" : "(information)", gap);
            }
        } else {
            missing(md, "4", "Latency");
        }
        if (autoMirror != null) {
            Stats s = autoMirror.stats();
            String gap = autoMirror.failures() > 0 ? "❌ " + autoMirror.failures() + " tables never visible"
                    : s.p50() < 2_000_000_000L ? "✅ met (p50 " + Stats.ms(s.p50()) + " < 2 s)"
                    : "❌ missed: p50 " + Stats.ms(s.p50()) + ", " + Stats.ms(s.p50() - 2_000_000_000L) + " over";
            row(md, "5", "Auto-mirror reaction: CREATE TABLE + INSERT → row visible (FINAL), " + autoMirror.tables() + " tables",
                    "p50 " + Stats.ms(s.p50()) + " · p99 " + Stats.ms(s.p99()), "—", "—", "p50 < 2 s", gap);
            long b = autoMirror.burstNanos();
            row(md, "5b", "Auto-mirror burst: " + autoMirror.burstTables() + " tables × " + AutoMirrorBench.BURST_ROWS
                            + " rows created in one transaction → all rows in ClickHouse",
                    b < 0 ? "incomplete after 120 s" : Stats.ms(b), "—", "—", "< 15 s (200 tables)",
                    b < 0 ? "❌ incomplete" : b < 15_000_000_000L ? "✅ met" : "❌ missed: " + Stats.ms(b - 15_000_000_000L) + " over");
        } else {
            missing(md, "5", "Auto-mirror reaction");
        }
        if (cdc != null) {
            CdcBench.Drain e = cdc.echoCh().best();
            CdcBench.Drain d = cdc.debezium().best();
            row(md, "6", "Resources of the EchoDB process during the CDC run into ClickHouse (heap " + ChildProcess.CHILD_HEAP + ")",
                    "peak RSS " + mib(e.rssPeakKib()) + " · CPU " + secs(e.cpuNanos()) + " (" + pct(e.cpuPercent())
                            + " of one core) = " + String.format(Locale.ROOT, "%.1f µs/change, %.1f once warmed up",
                            e.cpuMicrosPerChange(), e.steadyCpuMicrosPerChange()),
                    "Debezium no-op: " + mib(d.rssPeakKib()) + " · " + String.format(Locale.ROOT, "%.1f µs/change, %.1f once warmed up",
                            d.cpuMicrosPerChange(), d.steadyCpuMicrosPerChange()) + "; pg_recvlogical: "
                            + mib(cdc.recv().best().rssPeakKib()) + " · "
                            + String.format(Locale.ROOT, "%.1f µs/change", cdc.recv().best().cpuMicrosPerChange()),
                    "—", "(information)", "—");
        }
    }

    private static void row(StringBuilder md, String... cells) {
        md.append('|');
        for (String c : cells) {
            md.append(' ').append(c.replace("|", "\\|")).append(" |");
        }
        md.append('\n');
    }

    private static void missing(StringBuilder md, String item, String what) {
        row(md, item, what, "not measured in this run", "", "", "", "");
    }

    // ------------------------------------------------------------------ machine

    private void machine(StringBuilder md) {
        md.append("\n#### Machine and versions\n\n");
        if (machine != null) {
            md.append("- CPU: ").append(machine.cores()).append(" cores, ").append(machine.cpu()).append('\n');
            md.append("- Memory: ").append(n(machine.memoryMib())).append(" MiB\n");
            md.append("- OS: ").append(machine.os()).append('\n');
            md.append("- JDK: ").append(machine.jdk()).append("; measured JVMs run with `").append(ChildProcess.CHILD_HEAP)
                    .append("`\n");
            md.append("- ").append(machine.postgres()).append('\n');
            md.append("- ").append(machine.clickhouse()).append('\n');
            md.append("- ").append(machine.recvlogical())
                    .append(" (the zonky binaries ship only initdb, pg_ctl and postgres; this client speaks the replication protocol of the 17 server)\n");
            md.append("- Debezium ").append(machine.debezium()).append(" (debezium-embedded + debezium-connector-postgres, pgoutput, Connect records)\n");
            md.append("- EchoDB: git ").append(machine.gitCommit()).append('\n');
        }
        md.append(String.format(Locale.ROOT, "- Load average (1 min) at start %.2f, at end %.2f", loadBefore, loadAfter));
        if (machine != null && Math.max(loadBefore, loadAfter) > machine.cores() * 0.75) {
            md.append(" — **the machine was busy with other work during this run; figures are disturbed**");
        }
        md.append("\n- Phases: ");
        List<String> parts = new ArrayList<>();
        for (PhaseTime p : phaseTimes) {
            parts.add(String.format(Locale.ROOT, "%s %.0f s (load %.1f → %.1f)", p.name(), p.nanos() / 1e9, p.loadBefore(),
                    p.loadAfter()));
        }
        md.append(String.join(", ", parts)).append('\n');
    }

    // ------------------------------------------------------------------ details

    private void details(StringBuilder md) {
        if (snapshot != null) {
            md.append("\n#### 1. Snapshot details\n\n");
            md.append("| Table | Rows | COPY text | On disk | COPY runs | EchoDB runs: create → RUNNING "
                    + "| best run: in ClickHouse inserts (summed over workers) | best run: CPU of PostgreSQL · ClickHouse meanwhile "
                    + "| Rows in ClickHouse (FINAL) "
                    + "| EchoDB, no-op sink | ClickHouse alone: INSERT … SELECT of the same rows | ClickHouse alone: the same rows as "
                    + "RowBinary HTTP inserts of " + n(SnapshotBench.HTTP_BATCH_ROWS) + " rows | the same bytes through EchoDB's "
                    + "ClickHouse client |\n");
            md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (SnapshotBench.Result r : snapshot) {
                row(md, r.table(), n(r.rows()), mb(r.copyBytes()), mb(r.tableBytes()), secsList(r.copyNanos()),
                        secsList(r.echoNanos()), secs(r.sinkNanos()) + " in " + n(r.sinkBatches()) + " inserts",
                        services(r.services()), n(r.targetRows()), secsList(r.echoNoopNanos()),
                        secs(r.ceilingNanos()) + " (" + rate(r.ceilingRowsPerSec(), "rows/s") + ")",
                        secs(r.httpNanos()) + " (" + rate(r.httpRowsPerSec(), "rows/s") + ", " + mb(r.httpBytes()) + ")",
                        secs(r.clientNanos()));
            }
            md.append("\nShapes: narrow = ").append(SnapshotBench.NARROW_SHAPE).append("; wide = ").append(SnapshotBench.WIDE_SHAPE)
                    .append(".\n");
            md.append("\nEchoDB's time covers everything from `create` until the mirror runs: publication, slot, exported "
                    + "snapshot, ClickHouse table, the parallel CTID-range copy (engine defaults: 2 workers, 50,000-row batches) "
                    + "and the RowBinary inserts. MB/s is COPY-text MB over time for both. The best run of each counts.\n");
        }
        if (cdc != null) {
            md.append("\n#### 2, 3, 6. CDC details\n\n");
            md.append(String.format(Locale.ROOT, "Workload: %s changes (60%% UPDATE, 20%% INSERT, 20%% DELETE, one row per "
                            + "transaction) on a %s-row pgbench_accounts-like table, written by %d PL/pgSQL sessions in %s "
                            + "(%s changes/s), %s of WAL. All four slots existed before the workload; each consumer then "
                            + "drained the same retained WAL alone, one after the other.\n\n",
                    n(cdc.changes()), n(cdc.tableRows()), cdc.sessions(), secs(cdc.workloadNanos()),
                    n(Math.round(cdc.changes() / (cdc.workloadNanos() / 1e9))), mb(cdc.walBytes())));
            md.append("| Consumer | Changes/s | Second half only | Start-up (to first change) | Drain time | CPU | CPU, % of one core "
                    + "| CPU µs per change (second half) | Java threads' CPU µs per change (busiest threads, ms) | Peak RSS | GC "
                    + "| PostgreSQL CPU meanwhile | ClickHouse CPU meanwhile |\n");
            md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            List<CdcBench.Drain> all = new ArrayList<>();
            for (int r = 0; r < cdc.recv().drains().size(); r++) {
                all.add(cdc.recv().drains().get(r));
                all.add(cdc.echoNoop().drains().get(r));
                all.add(cdc.echoCh().drains().get(r));
                if (cdc.candidateNoop() != null) {
                    all.add(cdc.candidateNoop().drains().get(r));
                    all.add(cdc.candidateCh().drains().get(r));
                }
                all.add(cdc.debezium().drains().get(r));
            }
            for (CdcBench.Drain d : all) {
                boolean recv = d.name().startsWith("pg_recvlogical");
                row(md, d.name(), n(Math.round(d.changesPerSec())), recv ? "—" : n(Math.round(d.steadyChangesPerSec())),
                        secs(d.firstNanos()) + (recv ? " (an empty run)" : ""),
                        secs(d.totalNanos()), secs(d.cpuNanos()), pct(d.cpuPercent()),
                        String.format(Locale.ROOT, "%.1f", d.cpuMicrosPerChange()) + (recv ? "" : String.format(Locale.ROOT,
                                " (%.1f)", d.steadyCpuMicrosPerChange())),
                        recv ? "—" : String.format(Locale.ROOT, "%.1f (%s)", d.appCpuNanos() / 1e3 / d.changes(),
                                d.threads().replace(",", ", ")), mib(d.rssPeakKib()),
                        recv ? "—" : d.gcMillis() + " ms", cpuOf(d.services() == null ? -1 : d.services().postgresNanos(), d.totalNanos()),
                        cpuOf(d.services() == null ? -1 : d.services().clickhouseNanos(), d.totalNanos()));
            }
            md.append("\nRows are in the order they ran (the number is the round); the summary uses each consumer's best round. "
                    + "Changes/s is measured from the consumer's first change to its last, so start-up is excluded (its own "
                    + "column); \"second half only\" is the rate once the JVM has warmed up (JIT). Java threads' CPU leaves out "
                    + "the JIT compiler and GC (the process CPU includes them). pg_recvlogical (").append(cdc.recvVersion())
                    .append(") ran with `--endpos`, pgoutput proto 1, output to /dev/null, no fsync; its start-up is the wall "
                    + "time of a second run on the drained slot, taken off its drain time. The PostgreSQL column (postmaster and every "
                    + "backend, the walsender included) shows that decoding in the server is the shared ceiling of all consumers. "
                    + "EchoDB into ClickHouse wrote ").append(n(cdc.sinkWrites())).append(" batches in all rounds, ")
                    .append(Stats.ms(cdc.sinkWrites() == 0 ? 0 : cdc.sinkWriteNanos() / cdc.sinkWrites()))
                    .append(" per insert on average. ").append(cdc.verification()).append(".\n");
        }
        if (latency != null) {
            md.append("\n#### 4. Latency details\n\n");
            md.append("| Offered | Achieved | p50 | p95 | p99 | max | mean | samples | generator late by (max) | polls (mean round trip) |\n");
            md.append("|---|---|---|---|---|---|---|---|---|---|\n");
            for (LatencyBench.RateResult r : latency) {
                Stats s = r.stats();
                row(md, n(r.offeredRate()) + "/s", n(Math.round(r.achievedRate())) + "/s", Stats.ms(s.p50()), Stats.ms(s.p95()),
                        Stats.ms(s.p99()), Stats.ms(s.max()), Stats.ms(s.mean()), n(s.count()), Stats.ms(r.maxScheduleSlipNanos()),
                        n(r.polls()) + " (" + Stats.ms(Math.round(r.meanPollNanos())) + ")");
            }
            md.append("\n").append(LatencyBench.THREADS).append(" generator threads, single-row UPDATE transactions on a fixed "
                    + "schedule, ").append(sizes.latencyWarmupSeconds()).append(" s warm-up per rate excluded. Latency = return of "
                    + "the first `SELECT thread, max(chg) … FINAL` poll that shows the change − return of its COMMIT; it "
                    + "includes up to one poll round trip. Engine defaults (maxBatchAge 200 ms).\n");
        }
        if (autoMirror != null) {
            Stats s = autoMirror.stats();
            md.append("\n#### 5. Auto-mirror details\n\n");
            md.append(String.format(Locale.ROOT, "%d tables, one after the other: p50 %s, p95 %s, p99 %s, max %s, mean %s; "
                            + "%d never visible. Event triggers + outbox + LISTEN wake-up, AutoMirror rounds back to back, the "
                            + "native engine (copy, then stream) into ClickHouse, polled every 10 ms with FINAL.\n",
                    autoMirror.tables(), Stats.ms(s.p50()), Stats.ms(s.p95()), Stats.ms(s.p99()), Stats.ms(s.max()),
                    Stats.ms(s.mean()), autoMirror.failures()));
        }
        if (catalogSweep != null) {
            md.append("\n#### Catalog sweep (DDL capture without event triggers)\n\n");
            md.append("| tables | sweep, nothing changed (median) | sweep, one table altered (median) |\n|---|---|---|\n");
            for (CatalogSweepBench.Row r : catalogSweep.rows()) {
                md.append("| ").append(n(r.tables())).append(" | ").append(Stats.ms(r.idleNanos())).append(" | ")
                        .append(Stats.ms(r.changedNanos())).append(" |\n");
            }
            md.append("\nEach table has a primary key and four more columns; every worker runs one sweep per DDL_SWEEP_INTERVAL"
                    + " (default 1 s), so the idle figure is what the source pays per worker per interval.\n");
        }
    }

    private static String secsList(List<Long> nanos) {
        List<String> parts = new ArrayList<>();
        nanos.forEach(v -> parts.add(String.format(Locale.ROOT, "%.2f", v / 1e9)));
        return String.join(" / ", parts) + " s";
    }

    private static String services(ServiceCpu.Sample s) {
        if (s == null) {
            return "—";
        }
        return (s.postgresNanos() < 0 ? "?" : secs(s.postgresNanos())) + " · " + (s.clickhouseNanos() < 0 ? "?" : secs(s.clickhouseNanos()));
    }

    private static String cpuOf(long nanos, long wallNanos) {
        return nanos < 0 ? "?" : secs(nanos) + " (" + pct(100.0 * nanos / wallNanos) + ")";
    }

    // ------------------------------------------------------------------ docs file

    static String begin(String mode) {
        return "<!-- bench-results:" + mode + ":begin (generated by bench/run.sh " + mode + "; do not edit by hand) -->";
    }

    static String end(String mode) {
        return "<!-- bench-results:" + mode + ":end -->";
    }

    /** Replaces the generated section of {@code mode} in {@code file}, keeping every other line as it is. */
    static void writeInto(Path file, String mode, String markdown) throws IOException {
        String content = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n";
        String b = begin(mode);
        String e = end(mode);
        String prefix = b.substring(0, b.indexOf(" ("));
        int i = content.indexOf(prefix);
        int j = content.indexOf(e);
        String block = b + "\n\n" + markdown.strip() + "\n\n" + e;
        String updated;
        if (i >= 0 && j > i) {
            updated = content.substring(0, i) + block + content.substring(j + e.length());
        } else {
            updated = content.stripTrailing() + "\n\n## Results (" + mode + " mode)\n\n" + block + "\n";
        }
        Files.writeString(file, updated);
    }

    // ------------------------------------------------------------------ formatting

    static String n(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    static String rate(double perSec, String unit) {
        return String.format(Locale.ROOT, "%,.0f %s", perSec, unit);
    }

    static String mbps(double v) {
        return String.format(Locale.ROOT, "%.1f MB/s", v);
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    static String mib(long kib) {
        return String.format(Locale.ROOT, "%.0f MiB", kib / 1024.0);
    }

    static String secs(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.0f%%", v);
    }

    static String ratio(double v) {
        return String.format(Locale.ROOT, "%.2f×", v);
    }

    /** "met" with the margin, or how far off and what factor is missing. */
    static String ratioGap(double ratio, double target) {
        if (ratio >= target) {
            return String.format(Locale.ROOT, "✅ met (%.2f× the target)", ratio / target);
        }
        return String.format(Locale.ROOT, "❌ missed: %.0f%% short, needs %.2f× more", 100 * (1 - ratio / target),
                target / ratio);
    }
}
