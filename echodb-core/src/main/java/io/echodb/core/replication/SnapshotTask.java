package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.port.out.ChangeSource;
import io.echodb.core.port.out.CopyCheckpoint;
import io.echodb.core.port.out.CopyRange;
import io.echodb.core.port.out.CopyReceiver;
import io.echodb.core.port.out.FencedOutException;
import io.echodb.core.port.out.SnapshotSession;
import io.echodb.core.port.out.TableNotPublishableException;
import io.echodb.core.port.out.TargetMissingException;
import io.echodb.core.port.out.SourceTableChangedException;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one table: empties the target, opens a snapshot at consistent point P, and writes every row with version
 * (P, 0) while the stream applies the changes committed from P on, with higher versions, and skips the older ones
 * (the copy contains them). Emptying first makes a re-copy correct for rows deleted while the mirror was not applying
 * changes; the stream holds the mirror's changes back from before the truncate until P is known, so the target only
 * ever receives the copy and the changes after P. Transient failures restart the attempt with backoff; a cancelled run stops
 * at its next batch.
 *
 * <p>Each page range read completely is recorded once its rows are written. An attempt after an interruption (a
 * failure here, a crash or a leader change) resumes: it keeps the target, reads only the other ranges at its own,
 * later point P2 (rows with version (P2, 0)), and the stream keeps applying from the first point P; see
 * docs/DECISIONS.md, "Resumable copies", for why that stays exact.
 */
final class SnapshotTask implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotTask.class);

    /** Thrown from the copy callback to stop a cancelled run; adapters propagate callback exceptions. */
    static final class CancelledException extends RuntimeException {
        CancelledException(SnapshotRun run) {
            super(run + " was cancelled", null, false, false);
        }
    }

    private final MirrorRuntime mirror;
    private final SnapshotRun run;
    private final ChangeSource source;
    private final ChangeSink sink;
    private final EngineSettings settings;
    private final Clock clock;
    private final EngineListener listener;
    private final Retrier retrier;
    private final SnapshotHost host;
    private final CopyMemory memory;
    private final AtomicLong lastProgressLog = new AtomicLong();

    SnapshotTask(EngineEnv env, MirrorRuntime mirror, SnapshotRun run, SnapshotHost host, CopyMemory memory) {
        this.mirror = mirror;
        this.run = run;
        this.source = env.source();
        this.sink = env.sink();
        this.settings = env.settings();
        this.clock = env.clock();
        this.listener = env.listener();
        this.retrier = env.retrier();
        this.host = host;
        this.memory = memory;
    }

    @Override
    public void run() {
        try {
            retrier.run("copy " + mirror.table(), this::attempt, this::current,
                    e -> host.transientFailure(mirror, run, "copy " + mirror.table(), e));
        } catch (RetryAbandonedException | CancelledException e) {
            LOG.debug("mirror {}: {} stopped", mirror.name(), run);
        } catch (FencedOutException e) {
            LOG.info("mirror {}: copy stopped: {}", mirror.name(), e.getMessage());
        } catch (RuntimeException e) {
            if (current()) {
                host.failed(mirror, run, "copy of " + mirror.table() + " failed: " + e.getMessage(), e);
            }
        }
    }

    /** The copy's thread died of {@code e}: a copy still in progress stops its mirror with the reason (none finished). */
    void diedOf(VirtualMachineError e) {
        String hint = e instanceof OutOfMemoryError
                ? "; the copy memory, the workers per copy or the concurrent copies may be set too high for this heap" : "";
        if (current()) {
            host.failed(mirror, run, "copy of " + mirror.table() + " stopped: " + e + hint
                    + "; resume the mirror to copy it again", e);
        }
    }

    private boolean current() {
        return host.isCurrent(mirror, run);
    }

    /**
     * How often a copy starts over because the table changed between its description and its snapshot, or its target
     * table vanished.
     */
    private static final int MAX_RESHAPED_STARTS = 5;

    private void attempt() {
        for (int start = 1; ; start++) {
            try {
                attemptOnce();
                return;
            } catch (SourceTableChangedException e) {
                if (start >= MAX_RESHAPED_STARTS) {
                    throw e;
                }
                LOG.info("mirror {}: {}; describing it again", mirror.name(), e.getMessage());
            } catch (TargetMissingException e) {
                if (start >= MAX_RESHAPED_STARTS) {
                    throw e;
                }
                LOG.warn("mirror {}: {} during its copy; creating it again and copying afresh", mirror.name(), e.getMessage());
                host.targetMissing(mirror, run);
            }
        }
    }

    private void attemptOnce() {
        Prepared prepared = prepare();
        if (prepared == null) {
            return;
        }
        try (SnapshotSession session = source.openSnapshot()) {
            if (pointChosen(session.consistentPoint())) {
                copyFrom(session, prepared);
            }
        }
    }

    /**
     * The table as described for this copy, the schema its target takes, and the ranges an earlier attempt finished
     * (empty for a fresh copy).
     */
    record Prepared(TableSchema described, TableSchema schema, List<CopyRange> finished) { }

    /**
     * Describes the table, brings the target in line (emptied, unless it was created empty for this copy) and publishes
     * the table; null when the run stops here (unsupported, failed or no longer current: already reported).
     */
    Prepared prepare() {
        if (!current()) {
            return null;
        }
        Optional<TableSchema> described = source.describe(mirror.table());
        if (described.isEmpty()) {
            host.failed(mirror, run, "source table " + mirror.table() + " does not exist", null);
            return null;
        }
        TableSchema full;
        try {
            // e.g. its primary key was dropped: PostgreSQL must send whole old rows before the table is published again
            full = mirror.shape.withFullIdentityIfKeyless(source, described.get());
        } catch (TableNotPublishableException e) {
            host.unsupported(mirror, run, e.getMessage());
            return null;
        }
        TableSchema schema = mirror.shape.schema(full);
        Optional<String> unsupported = mirror.shape.problem(full);
        if (unsupported.isPresent()) {
            host.unsupported(mirror, run, unsupported.get());
            return null;
        }
        SnapshotHost.Target target = host.prepareTarget(mirror, run, schema);
        if (target == SnapshotHost.Target.STOP) {
            return null;
        }
        // A deletion removed while the copy runs would let the copy's older row of that key come back.
        if (mirror.shape.hardDeletes(full) && !run.writeIfActive(() -> sink.allowPurge(mirror.target(), false))) {
            return null;
        }
        if (target == SnapshotHost.Target.MAY_HOLD_ROWS && !run.writeIfActive(() -> sink.truncate(mirror.target()))) {
            return null;
        }
        // Null only when this run is no longer current: then its point is refused and it stops.
        CopyCheckpoint progress = mirror.copyCheckpoint();
        List<CopyRange> finished = target == SnapshotHost.Target.RESUME && progress != null ? progress.finished() : List.of();
        return new Prepared(full, schema, finished);
    }

    /** The snapshot this copy reads is at {@code point}: the stream may apply the later changes; false to stop. */
    boolean pointChosen(Lsn point) {
        return host.pointChosen(mirror, run, point);
    }

    /** Copies the prepared table from {@code session} (its point already chosen) and marks the mirror running. */
    void copyFrom(SnapshotSession session, Prepared prepared) {
        Lsn point = session.consistentPoint();
        mirror.resetSnapshotProgress(clock.instant());
        // A resumed copy estimates what it has left to read, so that its progress starts at 0 % and ends at 100 %.
        mirror.snapshotRowsEstimated = Math.max(0, session.estimateRows(mirror.table(), prepared.finished()));
        if (prepared.finished().isEmpty()) {
            LOG.info("mirror {}: copying {} at {} (about {} rows, {} workers)", mirror.name(), mirror.table(), point,
                    mirror.snapshotRowsEstimated, settings.snapshotParallelism());
        } else {
            LOG.info("mirror {}: resuming the copy of {} at {}: {} finished range(s) kept, reading the rest (about {} rows,"
                    + " {} workers)", mirror.name(), mirror.table(), point, prepared.finished().size(),
                    mirror.snapshotRowsEstimated, settings.snapshotParallelism());
        }
        Batches batches = new Batches(prepared.schema(), RowVersion.snapshot(point));
        try {
            session.copy(prepared.described(), mirror.spec.settings().excludeColumns(), settings.snapshotParallelism(),
                    prepared.finished(), batches);
            batches.writeRemaining();
        } finally {
            batches.close();
        }
        // Before the copy counts as done: a crash in between copies again, and that copy turns it off first.
        if (mirror.shape.hardDeletes(prepared.described())
                && !run.writeIfActive(() -> sink.allowPurge(mirror.target(), true))) {
            return;
        }
        host.completed(mirror, run, point, mirror.snapshotRowsDone.get());
    }

    MirrorRuntime mirror() {
        return mirror;
    }

    /**
     * Gathers the rows each copy worker delivers into target writes of at most {@code snapshotBatchRows} rows and the
     * worker's share of the engine's copy memory in estimated bytes ({@link CopyMemory}; a wide table reaches the bytes
     * long before the rows: 50,000 rows of 1,000 columns would be about a gigabyte of Java objects). Each worker keeps
     * one write in flight on a writer thread while it reads on, so reading and inserting overlap (JFR showed the reader
     * idle during every insert) and memory stays bounded at two writes per worker, within the budget all copies share.
     */
    private final class Batches implements AutoCloseable, CopyReceiver {
        private final TableSchema schema;
        private final RowVersion version;
        private final AtomicLong ordinals = new AtomicLong();
        private final Map<Thread, List<Row>> pending = new ConcurrentHashMap<>();
        private final Map<Thread, long[]> pendingBytes = new ConcurrentHashMap<>();
        private final Map<Thread, Future<?>> inFlight = new ConcurrentHashMap<>();
        private boolean closed; // guarded by this
        private final ExecutorService writers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "echodb-copy-writer-" + mirror.name());
            t.setDaemon(true);
            return t;
        });

        Batches(TableSchema schema, RowVersion version) {
            this.schema = schema;
            this.version = version;
        }

        @Override
        public void accept(List<Row> rows) {
            if (run.isCancelled()) {
                throw new CancelledException(run);
            }
            Thread worker = Thread.currentThread();
            List<Row> mine = pending.computeIfAbsent(worker, t -> joined());
            long[] bytes = pendingBytes.computeIfAbsent(worker, t -> new long[1]);
            for (Row row : rows) {
                mine.add(row);
                bytes[0] += RowSize.estimate(row);
                if (mine.size() >= settings.snapshotBatchRows() || bytes[0] >= memory.writeBytes()) {
                    List<Row> chunk = takePending(worker);
                    mine = pending.get(worker);
                    awaitInFlight(worker);
                    inFlight.put(worker, writers.submit(() -> write(chunk)));
                }
            }
        }

        /**
         * Writes what this worker read of {@code range} (its rows all came through this thread) and records the range.
         * Key-less tables are not recorded: their copies cannot resume.
         */
        @Override
        public void rangeFinished(CopyRange range) {
            if (schema.isMultiset()) {
                return;
            }
            Thread worker = Thread.currentThread();
            awaitInFlight(worker);
            List<Row> chunk = takePending(worker);
            if (!chunk.isEmpty()) {
                write(chunk);
            }
            if (run.isCancelled()) {
                throw new CancelledException(run);
            }
            host.rangeFinished(mirror, run, range);
        }

        void writeRemaining() {
            for (Thread worker : List.copyOf(inFlight.keySet())) {
                awaitInFlight(worker);
            }
            for (Thread worker : List.copyOf(pending.keySet())) {
                List<Row> chunk = takePending(worker);
                if (!chunk.isEmpty()) {
                    write(chunk);
                }
            }
        }

        /**
         * The rows {@code worker} gathered and has not handed to a write yet; its gathering starts afresh in a list of
         * the same size (handed over, not copied).
         */
        private List<Row> takePending(Thread worker) {
            List<Row> mine = pending.get(worker);
            if (mine == null || mine.isEmpty()) {
                return List.of();
            }
            pending.put(worker, new ArrayList<>(mine.size()));
            pendingBytes.get(worker)[0] = 0;
            return mine;
        }

        /** Waits for the worker's previous write and rethrows its failure, so the copy stops as the sink demands. */
        private void awaitInFlight(Thread worker) {
            Future<?> previous = inFlight.remove(worker);
            if (previous == null) {
                return;
            }
            try {
                previous.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancelledException(run);
            }
        }

        /** Lets writes still in flight (after a failure) finish or fail before the task ends; nothing outlives it. */
        @Override
        public void close() {
            for (Future<?> f : inFlight.values()) {
                try {
                    f.get();
                } catch (ExecutionException ignored) {
                    // the copy already failed or was cancelled; its own exception is the one that matters
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            writers.shutdownNow();
            synchronized (this) {
                closed = true;
                pending.keySet().forEach(worker -> memory.workerLeft());
            }
        }

        /** A worker's first rows: it counts in the engine's copy memory until this copy ends. */
        private synchronized List<Row> joined() {
            if (closed) {
                throw new CancelledException(run); // a straggler after the copy ended
            }
            memory.workerJoined();
            return new ArrayList<>();
        }

        private void write(List<Row> rows) {
            List<SinkRow> out = new ArrayList<>(rows.size());
            for (Row r : rows) {
                // A multiset target tells copied rows apart by version: identical rows must stay two rows.
                RowVersion v = schema.isMultiset() ? new RowVersion(version.lsn(), ordinals.incrementAndGet()) : version;
                out.add(new SinkRow(r, v, false));
            }
            long start = System.nanoTime();
            retrier.run("write copied rows to " + mirror.target(), () -> {
                if (!run.writeIfActive(() -> sink.write(mirror.target(), schema, out))) {
                    throw new CancelledException(run);
                }
            }, SnapshotTask.this::current, e -> host.transientFailure(mirror, run, "write copied rows", e));
            long nanos = System.nanoTime() - start;
            long done = mirror.snapshotRowsDone.addAndGet(out.size());
            mirror.rowsSynced.addAndGet(out.size());
            mirror.updatedAt = clock.instant();
            listener.snapshotBatchWritten(mirror.table(), out.size(), nanos);
            logProgress(done);
        }
    }

    private void logProgress(long done) {
        long now = clock.millis();
        long last = lastProgressLog.get();
        long every = settings.progressLogInterval().toMillis();
        if (now - last >= every && lastProgressLog.compareAndSet(last, now)) {
            var p = mirror.progress(clock.instant());
            LOG.info("mirror {}: copied {} of about {} rows ({}%) at {} rows/s", mirror.name(), done, p.rowsEstimated(),
                    String.format("%.1f", p.percent()), String.format("%.0f", p.rowsPerSecond()));
        }
    }
}
