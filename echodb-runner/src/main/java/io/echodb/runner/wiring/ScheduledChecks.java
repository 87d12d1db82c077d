package io.echodb.runner.wiring;

import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.service.ConsistencyChecker;
import io.echodb.core.service.MismatchRepair;
import io.echodb.core.service.TableCheck;
import io.echodb.runner.console.LastChecks;
import io.echodb.runner.metrics.Telemetry;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The leader's periodic consistency check, and what becomes of every check's result: recorded, and repaired (I3). */
final class ScheduledChecks {

    /** Wiring's logger: these lines kept their logger name when they moved here. */
    private static final Logger LOG = LoggerFactory.getLogger(Wiring.class);

    private final Supplier<ConsistencyChecker> checker;
    private final ConsistencyChecker.Mode mode;
    private final Telemetry telemetry;
    private final LastChecks lastChecks;
    private final BooleanSupplier isLeader;
    /** Set once the engine exists; read by the after-copy check thread. */
    private volatile MismatchRepair repair;

    ScheduledChecks(Supplier<ConsistencyChecker> checker, ConsistencyChecker.Mode mode, Telemetry telemetry,
            LastChecks lastChecks, BooleanSupplier isLeader) {
        this.checker = Objects.requireNonNull(checker, "checker");
        this.mode = mode;
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
        this.lastChecks = Objects.requireNonNull(lastChecks, "lastChecks");
        this.isLeader = Objects.requireNonNull(isLeader, "isLeader");
    }

    /** From now on, definite mismatches are repaired with {@code r}. */
    void repairWith(MismatchRepair r) {
        this.repair = r;
    }

    /** One scheduled check of every mirrored table, on the leader only; failures are logged, the next run tries again. */
    void run() {
        if (!isLeader.getAsBoolean()) {
            return;
        }
        try {
            List<TableCheck> checks = checker.get().checkAll(mode);
            long mismatches = 0;
            for (TableCheck c : checks) {
                if (c instanceof TableCheck.Checked k) {
                    checked(k.report());
                    if (!k.report().match() && k.report().verdict() == ConsistencyReport.Verdict.MISMATCH) {
                        mismatches++;
                        LOG.warn("inconsistency: {} has {} rows in PostgreSQL and {} in ClickHouse", k.table(),
                                k.report().postgresCount(), k.report().clickhouseCount());
                    }
                }
            }
            LOG.info("scheduled consistency check: {} tables, {} mismatched", checks.size(), mismatches);
        } catch (RuntimeException e) {
            LOG.warn("scheduled consistency check failed: {}", e.getMessage());
        }
    }

    /** Records a scheduled or after-copy check, and repairs a definite mismatch of a RUNNING mirror (I3). */
    void checked(ConsistencyReport report) {
        telemetry.recordConsistency(report);
        lastChecks.record(report);
        MismatchRepair r = repair;
        if (r == null || !isLeader.getAsBoolean()) {
            return;
        }
        try {
            if (r.onReport(report) instanceof MismatchRepair.Outcome.Resynced) {
                telemetry.recordAutoResync(report.table());
            }
        } catch (RuntimeException e) {
            LOG.warn("could not resync {} after its mismatch: {}", report.table(), e.getMessage());
        }
    }
}
