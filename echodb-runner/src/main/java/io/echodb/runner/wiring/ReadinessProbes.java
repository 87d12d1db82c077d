package io.echodb.runner.wiring;

import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.service.LeaderLoop;
import io.echodb.runner.http.ReadinessReport;
import io.echodb.runner.http.ReadinessReport.Check;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Builds /ready's report: each part of the worker that has a say in whether it is ready, checked in a fixed order. */
final class ReadinessProbes {

    /** What the report reads; {@code slotMonitor} is null with PeerDB (no slot of ours to check). */
    record Parts(String leadershipKind, DependencyProbes dependencies, LeaderLoop leaderLoop, EngineSupervisor supervisor,
                 MirrorEngineHandle engine, DdlCaptureRunner ddlCaptureRunner, MirrorControl mirrors, SlotMonitor slotMonitor) {
    }

    private final String leadershipKind;
    private final DependencyProbes dependencies;
    private final LeaderLoop leaderLoop;
    private final EngineSupervisor supervisor;
    private final GatedLeaderView gatedLeader;
    private final MirrorEngineHandle engine;
    private final DdlCaptureRunner ddlCaptureRunner;
    private final MirrorControl mirrors;
    private final SlotMonitor slotMonitor;

    ReadinessProbes(Parts parts) {
        this.leadershipKind = Objects.requireNonNull(parts.leadershipKind(), "leadershipKind");
        this.dependencies = Objects.requireNonNull(parts.dependencies(), "dependencies");
        this.leaderLoop = Objects.requireNonNull(parts.leaderLoop(), "leaderLoop");
        this.supervisor = Objects.requireNonNull(parts.supervisor(), "supervisor");
        this.gatedLeader = supervisor.gate();
        this.engine = Objects.requireNonNull(parts.engine(), "engine");
        this.ddlCaptureRunner = Objects.requireNonNull(parts.ddlCaptureRunner(), "ddlCaptureRunner");
        this.mirrors = Objects.requireNonNull(parts.mirrors(), "mirrors");
        this.slotMonitor = parts.slotMonitor();
    }

    /** Dependencies reachable, and for the leader the engine running. */
    ReadinessReport readiness(boolean running) {
        Map<String, Check> checks = new LinkedHashMap<>();
        checks.put("running", running ? Check.ok("started") : Check.failed("shutting down"));
        checks.put("postgres", dependencies.postgres());
        checks.put("clickhouse", dependencies.clickHouse());
        boolean leader = leaderLoop.isLeader();
        checks.put("leadership", Check.ok(leader
                ? "leader (" + leadershipKind + ", fencing token " + leaderLoop.fencingToken().orElse(0) + ")"
                : "follower (" + leadershipKind + "), standing by"));
        Check engineCheck = engine.health(leader);
        if (leader && !gatedLeader.isLeader()) {
            String why = supervisor.lastStartError();
            engineCheck = Check.failed("engine starting: " + (why == null ? engineCheck.detail() : why));
        }
        checks.put("engine", engineCheck);
        checks.put("ddl_capture", ddlCaptureRunner.check());
        if (leader) {
            Check mirrorCheck;
            try {
                mirrorCheck = mirrorsCheck();
            } catch (RuntimeException e) {
                mirrorCheck = Check.failed("mirrors could not be listed: " + e.getMessage());
            }
            checks.put("mirrors", mirrorCheck);
        }
        if (slotMonitor != null) {
            checks.put("replication_slot", slotMonitor.check());
        }
        return new ReadinessReport(checks);
    }

    /**
     * The leader's mirrors: not ok while one is FAILED (it cannot be kept exact, I3), naming it, its error and the
     * fix; unsupported tables are listed but do not fail the check (they are reported by design).
     */
    private Check mirrorsCheck() {
        List<MirrorStatus> all = mirrors.list();
        Map<MirrorState, Long> byState = new java.util.TreeMap<>();
        all.forEach(m -> byState.merge(m.state(), 1L, Long::sum));
        String counts = all.size() + " mirrors" + (byState.isEmpty() ? "" : " (" + byState.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey().name().toLowerCase(java.util.Locale.ROOT))
                .collect(java.util.stream.Collectors.joining(", ")) + ")");
        List<MirrorStatus> failed = all.stream().filter(m -> m.state() == MirrorState.FAILED).toList();
        if (failed.isEmpty()) {
            return Check.ok(counts);
        }
        MirrorStatus first = failed.get(0);
        String error = first.error().orElse("no reason recorded");
        Optional<String> fix = FixHints.clickHouse(error).or(() -> FixHints.postgres(error));
        return Check.failed(counts + "; mirror " + first.name() + " FAILED: " + error + "; "
                + fix.orElse("fix the cause, then resync it: POST /mirrors/" + first.name() + "/resync")
                + (failed.size() > 1 ? " (and " + (failed.size() - 1) + " more failed: see /mirrors)" : ""));
    }
}
