package io.echodb.runner.wiring;

import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.replication.EngineListener;
import io.echodb.core.service.ConsistencyChecker;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's "check after a mirror is created", driven by the engine instead of fixed sleeps: when a mirror's initial
 * copy finishes (SNAPSHOTTING → RUNNING), its table is checked once on a background thread, on the leader only.
 * Forwards every callback to {@code delegate}.
 */
final class SnapshotCompletionCheck implements EngineListener {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotCompletionCheck.class);

    private final EngineListener delegate;
    private final Supplier<ConsistencyChecker> checker;
    private final BooleanSupplier isLeader;
    private final Consumer<ConsistencyReport> results;
    private final ExecutorService executor;

    SnapshotCompletionCheck(EngineListener delegate, Supplier<ConsistencyChecker> checker, BooleanSupplier isLeader,
            Consumer<ConsistencyReport> results, ExecutorService executor) {
        this.delegate = delegate;
        this.checker = checker;
        this.isLeader = isLeader;
        this.results = results;
        this.executor = executor;
    }

    @Override
    public void stateChanged(MirrorName mirror, MirrorState from, MirrorState to, String reason) {
        delegate.stateChanged(mirror, from, to, reason);
        if (from == MirrorState.SNAPSHOTTING && to == MirrorState.RUNNING) {
            try {
                executor.execute(() -> check(mirror));
            } catch (RejectedExecutionException shuttingDown) {
                LOG.debug("not checking {} after its copy: shutting down", mirror);
            }
        }
    }

    private void check(MirrorName mirror) {
        ConsistencyChecker c = checker.get();
        if (c == null || !isLeader.getAsBoolean()) {
            return;
        }
        try {
            ConsistencyReport report = c.checkAfterSnapshot(mirror);
            results.accept(report);
            LOG.info("check after initial copy of {}: {} (PostgreSQL {}, ClickHouse {})", report.table(),
                    report.verdict(), report.postgresCount(), report.clickhouseCount());
        } catch (RuntimeException e) {
            LOG.warn("check after initial copy of {} failed: {}", mirror, e.getMessage());
        }
    }

    @Override
    public void batchFlushed(io.echodb.core.model.TableRef table, int rows, long nanos) {
        delegate.batchFlushed(table, rows, nanos);
    }

    @Override
    public void snapshotBatchWritten(io.echodb.core.model.TableRef table, int rows, long nanos) {
        delegate.snapshotBatchWritten(table, rows, nanos);
    }

    @Override
    public void error(MirrorName mirror, String operation, Throwable error) {
        delegate.error(mirror, operation, error);
    }

    @Override
    public void acknowledged(io.echodb.core.change.Lsn lsn) {
        delegate.acknowledged(lsn);
    }

    @Override
    public void slotRecreated(String reason, int mirrors) {
        delegate.slotRecreated(reason, mirrors);
    }

    @Override
    public void copyResumed(MirrorName mirror, int finishedRanges, io.echodb.core.change.Lsn firstPoint) {
        delegate.copyResumed(mirror, finishedRanges, firstPoint);
    }
}
