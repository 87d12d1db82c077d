package io.echodb.core.replication;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.port.ChangeSink;
import io.echodb.core.port.ChangeSource;
import io.echodb.core.port.ChangeStream;
import io.echodb.core.port.CheckpointStore;
import io.echodb.core.port.MirrorControl;
import io.echodb.core.port.MirrorEngineException;
import io.echodb.core.port.MirrorNotFoundException;
import io.echodb.core.port.SchemaSync;
import io.echodb.core.schema.TableSchema;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded mirror engine: one replication slot and one publication serve every mirrored table (DESIGN §3).
 *
 * <p>Creating a mirror publishes the table and copies it inside an exported snapshot at a consistent point P while
 * the single stream thread already applies the table's streamed changes. Copied rows carry version (P, 0), streamed
 * rows (commit LSN, ordinal in the transaction), so the target keeps the newest row whatever the arrival order. The
 * stream is acknowledged only up to the end of the last commit whose rows are all written; after any crash the slot
 * replays from there and identical versions make the replay invisible. No correctness depends on {@link #close()}.
 *
 * <p>Pausing stops applying a table's changes. Because one slot serves all tables, the slot moves on while a mirror is
 * paused, so the changes skipped meanwhile cannot be streamed again: {@link #resume} is therefore a {@link #resync},
 * which empties the target table and copies it again at a new consistent point while changes flow (emptying is what
 * removes rows deleted in the source meanwhile; the target is partial until the copy completes).
 *
 * <p>Commands wait at most {@link EngineSettings#controlTimeout()} for the stream thread (which holds the engine
 * lock while the target is unreachable) and then fail with a retryable {@link MirrorEngineException};
 * {@link #status} and {@link #list} never wait. The source and the sink must tolerate calls from several threads.
 */
public final class NativeMirrorEngine implements MirrorControl, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NativeMirrorEngine.class);
    private static final int EVENTS_PER_TURN = 512;
    private static final Duration IDLE_WAIT = Duration.ofSeconds(1);
    private static final long LAG_CACHE_MILLIS = 1000;

    /** Outcome of one turn of the stream loop. */
    enum Step {
        /** At least one event was applied. */
        EVENTS,
        /** The stream had nothing within the poll timeout. */
        IDLE,
        /** Opening or reading the stream failed; the next turn waits the backoff, then reconnects. */
        FAILED,
        /** No mirror exists, so no stream is needed. */
        NO_WORK,
        /** The engine is stopping. */
        STOPPED
    }

    private final ChangeSource source;
    private final ChangeSink sink;
    private final CheckpointStore store;
    private final EngineSettings settings;
    private final Clock clock;
    private final EngineListener listener;
    private final Sleeper sleeper;
    private final Retrier retrier;
    private final Executor snapshotExecutor;
    private final ExecutorService ownedExecutor;

    /** Fair, so commands get their turn between stream batches. */
    private final ReentrantLock lock = new ReentrantLock(true);
    private final MirrorRegistry registry = new MirrorRegistry();
    private final StreamApplier applier;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object wakeup = new Object();

    // Guarded by lock.
    private final List<SnapshotTask> toSubmit = new ArrayList<>();
    private final Backoff reconnectBackoff;
    private boolean prepared;
    private Lsn slotPosition = Lsn.ZERO;
    private boolean teardownPending;
    private long nextRunId;

    private volatile Duration reconnectDelay;
    private volatile long lagBytes;
    private volatile long lagReadAtMillis;
    private volatile boolean lagRead;
    private Thread streamThread;

    private NativeMirrorEngine(Builder b) {
        this.source = b.source;
        this.sink = b.sink;
        this.store = b.store;
        this.settings = b.settings;
        this.clock = b.clock;
        this.listener = new SafeListener(b.listener);
        this.sleeper = b.sleeper;
        this.retrier = new Retrier(settings, sleeper);
        if (b.snapshotExecutor != null) {
            this.snapshotExecutor = b.snapshotExecutor;
            this.ownedExecutor = null;
        } else {
            this.ownedExecutor = Executors.newFixedThreadPool(settings.concurrentSnapshots(), daemonThreads("echodb-snapshot-"));
            this.snapshotExecutor = ownedExecutor;
        }
        this.reconnectBackoff = retrier.newBackoff();
        this.applier = new StreamApplier(registry, sink, settings, clock, listener, retrier, new Events(), running::get);
    }

    /** Starts building an engine over the given ports; everything else has defaults. */
    public static Builder builder(ChangeSource source, ChangeSink sink, CheckpointStore store) {
        return new Builder(source, sink, store);
    }

    /** Options of a {@link NativeMirrorEngine}. */
    public static final class Builder {
        private final ChangeSource source;
        private final ChangeSink sink;
        private final CheckpointStore store;
        private EngineSettings settings = EngineSettings.defaults();
        private Clock clock = Clock.systemUTC();
        private EngineListener listener = EngineListener.NONE;
        private Sleeper sleeper = Sleeper.SYSTEM;
        private Executor snapshotExecutor;

        private Builder(ChangeSource source, ChangeSink sink, CheckpointStore store) {
            this.source = Objects.requireNonNull(source, "source");
            this.sink = Objects.requireNonNull(sink, "sink");
            this.store = Objects.requireNonNull(store, "store");
        }

        public Builder settings(EngineSettings value) {
            this.settings = Objects.requireNonNull(value, "settings");
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public Builder listener(EngineListener value) {
            this.listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /** How retry waits are spent (default: wall-clock sleep). */
        public Builder sleeper(Sleeper value) {
            this.sleeper = Objects.requireNonNull(value, "sleeper");
            return this;
        }

        /**
         * Runs table copies (default: an owned pool of {@link EngineSettings#concurrentSnapshots()} daemon threads,
         * shut down by {@link #close()}); an executor given here is not shut down by the engine.
         */
        public Builder snapshotExecutor(Executor value) {
            this.snapshotExecutor = Objects.requireNonNull(value, "snapshotExecutor");
            return this;
        }

        public NativeMirrorEngine build() {
            return new NativeMirrorEngine(this);
        }
    }

    // ================================================================ life cycle

    /**
     * Loads the stored mirrors, resumes them (copies that were in progress start again) and starts the stream thread,
     * which prepares the slot and streams from its confirmed position, reconnecting with backoff. Idempotent.
     */
    public void start() {
        if (openForStepping()) {
            Thread t = new Thread(this::runLoop, "echodb-native-stream");
            t.setDaemon(true);
            streamThread = t;
            t.start();
        }
    }

    /** Loads mirrors without starting the stream thread; tests then drive it with {@link #step()}. */
    boolean openForStepping() {
        if (closed.get()) {
            throw new IllegalStateException("the engine was closed; build a new one");
        }
        if (!running.compareAndSet(false, true)) {
            return false;
        }
        try {
            loadMirrors();
        } catch (RuntimeException e) {
            running.set(false);
            throw e;
        }
        return true;
    }

    private void loadMirrors() {
        control("start", () -> {
            for (MirrorRecord record : store.loadAll()) {
                MirrorRuntime m = new MirrorRuntime(record);
                registry.add(m);
                if (m.state == MirrorState.SNAPSHOTTING || m.state == MirrorState.CREATING
                        || m.state == MirrorState.DROPPING) {
                    // A copy cut short must start over: its rows up to the crash are not known to be complete.
                    m.state = MirrorState.SNAPSHOTTING;
                    scheduleSnapshot(m);
                }
            }
            // A crash between removing the last mirror and dropping the slot would leave WAL pinned forever.
            teardownPending = registry.isEmpty();
            LOG.info("native mirror engine started with {} mirror(s)", registry.all().size());
            return null;
        });
    }

    /**
     * Stops the stream thread and copies, writes what is buffered (one attempt) and acknowledges it, and closes the
     * stream. Idempotent. Copies in progress restart on the next start.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running.set(false);
        for (MirrorRuntime m : registry.all()) {
            SnapshotRun run = m.run;
            if (run != null) {
                run.cancel();
            }
        }
        Thread t = streamThread;
        if (t != null) {
            t.interrupt();
            wake();
            joinQuietly(t, settings.controlTimeout());
        }
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
            try {
                ownedExecutor.awaitTermination(settings.controlTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean locked = false;
        try {
            locked = lock.tryLock(settings.controlTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            LOG.warn("native mirror engine closed without a final flush: the stream thread did not stop in time");
            return;
        }
        try {
            toSubmit.clear();
            if (applier.attached()) {
                try {
                    applier.flushAll();
                    applier.maybeAck(true);
                } catch (RuntimeException e) {
                    LOG.info("final flush skipped ({}); the changes will be replayed on the next start", e.getMessage());
                }
                closeStream();
            }
            for (MirrorRuntime m : registry.all()) {
                saveQuietly(m);
            }
            LOG.info("native mirror engine closed");
        } finally {
            lock.unlock();
        }
    }

    private void runLoop() {
        while (running.get()) {
            Step step;
            try {
                step = step();
            } catch (RuntimeException | Error e) {
                if (!running.get()) {
                    break;
                }
                LOG.error("native stream loop failed; retrying", e);
                listener.error(null, "run the stream loop", e);
                reconnectDelay = Duration.ofMillis(Math.max(1, settings.retryInitialBackoff().toMillis()));
                step = Step.FAILED;
            }
            if (step == Step.NO_WORK) {
                awaitWakeup(IDLE_WAIT);
            }
        }
    }

    /**
     * One turn of the stream loop: waits out a pending reconnect backoff, opens the stream if needed, and applies up
     * to a few hundred events (fewer when a command is waiting for the lock). The stream thread calls this in a loop;
     * tests call it directly.
     */
    Step step() {
        Duration delay = reconnectDelay;
        if (delay != null) {
            reconnectDelay = null;
            try {
                sleeper.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Step.STOPPED;
            }
        }
        if (!running.get()) {
            return Step.STOPPED;
        }
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Step.STOPPED;
        }
        try {
            if (registry.isEmpty()) {
                closeStream();
                if (teardownPending) {
                    teardown();
                }
                return Step.NO_WORK;
            }
            if (!applier.attached() && !openStream()) {
                return Step.FAILED;
            }
            int applied = 0;
            while (applied < EVENTS_PER_TURN) {
                Optional<ChangeEvent> event;
                try {
                    event = applier.stream().poll(settings.pollTimeout());
                } catch (RuntimeException e) {
                    streamFailed("read the change stream", e);
                    return Step.FAILED;
                }
                if (event.isEmpty()) {
                    applyOrFail(applier::idle);
                    return !applier.attached() ? Step.FAILED : applied > 0 ? Step.EVENTS : Step.IDLE;
                }
                reconnectBackoff.reset();
                if (!applyOrFail(() -> applier.apply(event.get()))) {
                    return running.get() ? Step.FAILED : Step.STOPPED;
                }
                applied++;
                if (lock.hasQueuedThreads()) {
                    break;
                }
            }
            return Step.EVENTS;
        } finally {
            unlockAndSubmit();
        }
    }

    /** Test hook: one turn; true when events were applied. */
    boolean processOne() {
        return step() == Step.EVENTS;
    }

    /**
     * Test hook: applies everything the stream has (reconnecting after failures, up to a limit), then writes every
     * buffer and acknowledges.
     */
    void drain() {
        int failures = 0;
        while (true) {
            Step s = step();
            if (s == Step.EVENTS) {
                failures = 0;
            } else if (s == Step.FAILED && ++failures < 1000) {
                continue;
            } else {
                break;
            }
        }
        lock.lock();
        try {
            if (applier.attached()) {
                applyOrFail(() -> {
                    applier.flushAll();
                    applier.maybeAck(true);
                });
            }
        } finally {
            unlockAndSubmit();
        }
    }

    /** Test hook: the most rows ever held in the stream buffers at once. */
    long maxBufferedRows() {
        lock.lock();
        try {
            return applier.maxBufferedRows();
        } finally {
            lock.unlock();
        }
    }

    /** Test hook: the last position acknowledged to the source. */
    Lsn acknowledged() {
        lock.lock();
        try {
            return applier.lastAcked();
        } finally {
            lock.unlock();
        }
    }

    /** Applies stream work; a failure outside any single table (e.g. the acknowledgement) restarts the stream. */
    private boolean applyOrFail(Runnable work) {
        try {
            work.run();
            return applier.attached();
        } catch (RetryAbandonedException e) {
            LOG.debug("stream work abandoned: {}", e.getMessage());
            return false;
        } catch (RuntimeException e) {
            streamFailed("apply the change stream", e);
            return false;
        }
    }

    private boolean openStream() {
        try {
            ensurePrepared();
            Lsn from = Lsn.max(slotPosition, applier.lastAcked());
            ChangeStream stream = source.openStream(from);
            applier.attach(stream, from);
            LOG.info("streaming changes from {}", from);
            return true;
        } catch (RuntimeException e) {
            streamFailed("open the change stream", e);
            return false;
        }
    }

    private void streamFailed(String what, RuntimeException e) {
        Duration delay = reconnectBackoff.nextDelay();
        LOG.warn("failed to {}; reconnecting from the slot in {}: {}", what, delay, e.toString());
        listener.error(null, what, e);
        closeStream();
        reconnectDelay = delay;
    }

    private void closeStream() {
        ChangeStream s = applier.detach();
        if (s != null) {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the change stream failed: {}", e.toString());
            }
        }
    }

    private void ensurePrepared() {
        if (!prepared) {
            slotPosition = source.prepare();
            prepared = true;
            teardownPending = false;
        }
    }

    private void teardown() {
        try {
            source.teardown();
            prepared = false;
            teardownPending = false;
            slotPosition = Lsn.ZERO;
            LOG.info("no mirrors left: replication slot and publication dropped");
        } catch (RuntimeException e) {
            teardownPending = true;
            LOG.warn("could not drop the replication slot and publication yet (will retry): {}", e.toString());
            listener.error(null, "drop the replication slot", e);
        }
    }

    // ================================================================ commands

    @Override
    public MirrorStatus create(MirrorSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return control("create mirror " + spec.name(), () -> {
            MirrorRuntime existing = registry.get(spec.name());
            if (existing != null) {
                if (!existing.spec.equals(spec)) {
                    LOG.warn("mirror {} exists with {}; create with {} ignored", spec.name(), existing.spec, spec);
                }
                return statusOf(existing, lag());
            }
            MirrorRuntime sameTable = registry.forTable(spec.source());
            if (sameTable != null) {
                throw MirrorEngineException.fatal("table " + spec.source() + " is already mirrored by " + sameTable.name(), null);
            }
            MirrorRuntime sameTarget = registry.forTarget(spec.targetTable());
            if (sameTarget != null) {
                throw MirrorEngineException.fatal("target table '" + spec.targetTable() + "' is already written by mirror "
                        + sameTarget.name(), null);
            }
            TableSchema schema = source.describe(spec.source()).orElseThrow(() -> MirrorEngineException.fatal(
                    "source table " + spec.source() + " does not exist", null));
            Instant now = clock.instant();
            Optional<String> unsupported = schema.unsupportedReason();
            if (unsupported.isPresent()) {
                MirrorRuntime m = new MirrorRuntime(new MirrorRecord(spec, MirrorState.UNSUPPORTED, null, 0, unsupported.get(), now));
                store.save(m.toRecord());
                registry.add(m);
                LOG.warn("mirror {}: table {} cannot be mirrored: {}", spec.name(), spec.source(), unsupported.get());
                listener.stateChanged(spec.name(), null, MirrorState.UNSUPPORTED, unsupported.get());
                wake();
                return statusOf(m, lag());
            }
            ensurePrepared();
            SchemaSync sync = sink.ensureTable(spec.targetTable(), schema);
            if (sync instanceof SchemaSync.Incompatible inc) {
                String reason = "target table '" + spec.targetTable() + "' does not fit " + spec.source() + ": " + inc.reason();
                MirrorRuntime m = new MirrorRuntime(new MirrorRecord(spec, MirrorState.FAILED, null, 0, reason, now));
                store.save(m.toRecord());
                registry.add(m);
                LOG.error("mirror {}: {}", spec.name(), reason);
                listener.stateChanged(spec.name(), null, MirrorState.FAILED, reason);
                wake();
                return statusOf(m, lag());
            }
            MirrorRuntime m = new MirrorRuntime(new MirrorRecord(spec, MirrorState.SNAPSHOTTING, null, 0, null, now));
            m.latestSchema = schema;
            m.ensuredSchemas.add(schema);
            store.save(m.toRecord());
            source.publish(spec.source());
            registry.add(m);
            scheduleSnapshot(m);
            LOG.info("mirror {}: created for {} -> {}; copying", spec.name(), spec.source(), spec.targetTable());
            listener.stateChanged(spec.name(), null, MirrorState.SNAPSHOTTING, null);
            wake();
            return statusOf(m, lag());
        });
    }

    /** Removes the mirror; when it was the last one, the slot and publication are dropped too. */
    @Override
    public void drop(MirrorName name, boolean dropTarget) {
        control("drop mirror " + name, () -> {
            MirrorRuntime m = registry.get(name);
            if (m == null) {
                return null;
            }
            MirrorState before = m.state;
            cancelSnapshot(m);
            applier.forget(m.table());
            m.state = MirrorState.DROPPING; // ignored by the stream from now on, even if a step below fails
            m.updatedAt = clock.instant();
            source.unpublish(m.table());
            if (dropTarget) {
                sink.drop(m.target());
            }
            store.delete(name);
            registry.remove(m);
            LOG.info("mirror {}: dropped{}", name, dropTarget ? " with its target table" : "");
            listener.stateChanged(name, before, MirrorState.DROPPING, null);
            if (registry.isEmpty()) {
                closeStream();
                teardown();
            }
            return null;
        });
    }

    @Override
    public void pause(MirrorName name) {
        control("pause mirror " + name, () -> {
            MirrorRuntime m = require(name);
            if (m.state == MirrorState.PAUSED || m.state == MirrorState.UNSUPPORTED) {
                return null;
            }
            cancelSnapshot(m);
            applier.forget(m.table());
            transition(m, MirrorState.PAUSED, null, true);
            return null;
        });
    }

    /**
     * Applies changes again. The shared slot moved on while the mirror was paused (or failed), so the skipped
     * changes are recovered by copying the table again: for a mirror that is not active this is {@link #resync}.
     * A running mirror is left alone.
     */
    @Override
    public void resume(MirrorName name) {
        control("resume mirror " + name, () -> {
            MirrorRuntime m = require(name);
            if (!m.isActive()) {
                resyncLocked(m);
            }
            return null;
        });
    }

    /**
     * Copies the table again while changes keep flowing: the target table is emptied, then filled at a new
     * consistent point (see the class documentation). Also re-checks an unsupported table.
     */
    @Override
    public void resync(MirrorName name) {
        control("resync mirror " + name, () -> {
            resyncLocked(require(name));
            return null;
        });
    }

    @Override
    public List<MirrorStatus> list() {
        long lag = lag();
        List<MirrorStatus> out = new ArrayList<>();
        for (MirrorRuntime m : registry.all()) {
            out.add(statusOf(m, lag));
        }
        return out;
    }

    @Override
    public Optional<MirrorStatus> status(MirrorName name) {
        MirrorRuntime m = registry.get(name);
        return m == null ? Optional.empty() : Optional.of(statusOf(m, lag()));
    }

    private void resyncLocked(MirrorRuntime m) {
        if (m.state == MirrorState.DROPPING) {
            throw MirrorEngineException.fatal("mirror " + m.name() + " is being dropped", null);
        }
        cancelSnapshot(m);
        applier.forget(m.table());
        m.ensuredSchemas.clear();
        transition(m, MirrorState.SNAPSHOTTING, null, true);
        scheduleSnapshot(m);
        wake();
    }

    private MirrorRuntime require(MirrorName name) {
        MirrorRuntime m = registry.get(name);
        if (m == null) {
            throw MirrorNotFoundException.of(name);
        }
        return m;
    }

    /** Runs a command under the engine lock, translating failures into {@link MirrorEngineException}. */
    private <T> T control(String what, Supplier<T> command) {
        if (closed.get()) {
            throw MirrorEngineException.fatal("cannot " + what + ": the engine is closed", null);
        }
        if (!running.get()) {
            throw MirrorEngineException.fatal("cannot " + what + ": the engine is not started", null);
        }
        boolean locked;
        try {
            locked = lock.tryLock(settings.controlTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw MirrorEngineException.retryable("interrupted while waiting to " + what, e);
        }
        if (!locked) {
            throw MirrorEngineException.retryable("cannot " + what + " now: the engine is busy (is the target reachable?)", null);
        }
        try {
            return command.get();
        } catch (MirrorEngineException e) {
            throw e;
        } catch (RuntimeException e) {
            if (Retrier.isTransient(e)) {
                throw MirrorEngineException.retryable("cannot " + what + ": " + e.getMessage(), e);
            }
            throw MirrorEngineException.fatal("cannot " + what + ": " + e.getMessage(), e);
        } finally {
            unlockAndSubmit();
        }
    }

    // ================================================================ mirror state (lock held)

    private void scheduleSnapshot(MirrorRuntime m) {
        SnapshotRun run = new SnapshotRun(++nextRunId);
        m.run = run;
        m.resetSnapshotProgress(clock.instant());
        toSubmit.add(new SnapshotTask(m, run, source, sink, settings, clock, listener, retrier, new Host()));
    }

    private void cancelSnapshot(MirrorRuntime m) {
        SnapshotRun run = m.run;
        if (run != null) {
            m.run = null;
            run.cancelAndAwaitWrites();
        }
    }

    private void transition(MirrorRuntime m, MirrorState to, String error, boolean mustSave) {
        MirrorState from = m.state;
        m.state = to;
        m.lastError = error;
        m.errorIsTransient = false;
        m.updatedAt = clock.instant();
        if (mustSave) {
            store.save(m.toRecord());
        } else {
            saveQuietly(m);
        }
        if (from != to) {
            LOG.info("mirror {}: {} -> {}{}", m.name(), from, to, error == null ? "" : " (" + error + ")");
            listener.stateChanged(m.name(), from, to, error);
        }
    }

    private void failLocked(MirrorRuntime m, String reason, Throwable cause) {
        cancelSnapshot(m);
        applier.forget(m.table());
        transition(m, MirrorState.FAILED, reason, false);
        LOG.error("mirror {} failed: {}", m.name(), reason, cause);
        listener.error(m.name(), "mirror", cause != null ? cause : new IllegalStateException(reason));
    }

    private void unsupportedLocked(MirrorRuntime m, String reason) {
        cancelSnapshot(m);
        applier.forget(m.table());
        transition(m, MirrorState.UNSUPPORTED, reason, false);
        LOG.warn("mirror {}: table {} cannot be mirrored: {}", m.name(), m.table(), reason);
    }

    private void noteTransient(MirrorRuntime m, String operation, RuntimeException e) {
        m.lastError = operation + ": " + e.getMessage();
        m.errorIsTransient = true;
        LOG.warn("mirror {}: {} failed, retrying: {}", m.name(), operation, e.getMessage());
        listener.error(m.name(), operation, e);
    }

    private void saveQuietly(MirrorRuntime m) {
        try {
            store.save(m.toRecord());
        } catch (RuntimeException e) {
            LOG.warn("mirror {}: could not save its state ({}); it is kept in memory", m.name(), e.toString());
        }
    }

    private MirrorStatus statusOf(MirrorRuntime m, long lag) {
        return new MirrorStatus(m.spec, m.state, m.rowsSynced.get(), lag, m.progress(clock.instant()), m.lastError, m.updatedAt);
    }

    /** The slot's lag, read at most once a second; the last known value when the source cannot answer. */
    private long lag() {
        long now = clock.millis();
        if (!lagRead || now - lagReadAtMillis >= LAG_CACHE_MILLIS || now < lagReadAtMillis) {
            try {
                lagBytes = Math.max(0, source.lagBytes());
            } catch (RuntimeException e) {
                LOG.debug("could not read the slot lag: {}", e.toString());
            }
            lagReadAtMillis = now;
            lagRead = true;
        }
        return lagBytes;
    }

    private void unlockAndSubmit() {
        List<SnapshotTask> tasks = toSubmit.isEmpty() ? List.of() : List.copyOf(toSubmit);
        toSubmit.clear();
        lock.unlock();
        for (SnapshotTask task : tasks) {
            try {
                snapshotExecutor.execute(task);
            } catch (RejectedExecutionException e) {
                LOG.debug("copy not started, the engine is stopping: {}", e.toString());
            }
        }
    }

    private void wake() {
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
    }

    private void awaitWakeup(Duration max) {
        synchronized (wakeup) {
            try {
                wakeup.wait(max.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void joinQuietly(Thread t, Duration max) {
        try {
            t.join(max.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ================================================================ callbacks

    /** Stream-side requests; the applier calls them with the lock held. */
    private final class Events implements MirrorEvents {
        @Override
        public void failed(MirrorRuntime mirror, String reason, Throwable cause) {
            failLocked(mirror, reason, cause);
        }

        @Override
        public void unsupported(MirrorRuntime mirror, String reason) {
            unsupportedLocked(mirror, reason);
        }

        @Override
        public void restartSnapshot(MirrorRuntime mirror, Runnable inBetween) {
            cancelSnapshot(mirror);
            inBetween.run();
            LOG.info("mirror {}: {} was truncated during its copy; copying again", mirror.name(), mirror.table());
            scheduleSnapshot(mirror);
        }

        @Override
        public void rowsWritten(MirrorRuntime mirror, int rows) {
            mirror.rowsSynced.addAndGet(rows);
            mirror.updatedAt = clock.instant();
        }

        @Override
        public void transientFailure(MirrorRuntime mirror, String operation, RuntimeException error) {
            noteTransient(mirror, operation, error);
        }

        @Override
        public void recovered(MirrorRuntime mirror) {
            if (mirror.errorIsTransient) {
                mirror.lastError = null;
                mirror.errorIsTransient = false;
                LOG.info("mirror {}: target reachable again", mirror.name());
            }
        }
    }

    /** Copy-side requests; each takes the lock and ignores runs that are no longer current. */
    private final class Host implements SnapshotHost {
        @Override
        public boolean isCurrent(MirrorRuntime mirror, SnapshotRun run) {
            return running.get() && mirror.run == run && !run.isCancelled() && registry.contains(mirror);
        }

        @Override
        public boolean prepareTarget(MirrorRuntime mirror, SnapshotRun run, TableSchema schema) {
            return locked(() -> {
                if (!isCurrent(mirror, run)) {
                    return false;
                }
                if (mirror.latestSchema == null) {
                    mirror.latestSchema = schema;
                }
                if (!mirror.ensuredSchemas.contains(schema)) {
                    SchemaSync sync = sink.ensureTable(mirror.target(), schema);
                    if (sync instanceof SchemaSync.Incompatible inc) {
                        failLocked(mirror, "target table '" + mirror.target() + "' does not fit " + mirror.table() + ": "
                                + inc.reason(), null);
                        return false;
                    }
                    mirror.ensuredSchemas.add(schema);
                }
                ensurePrepared();
                source.publish(mirror.table());
                return true;
            });
        }

        @Override
        public void completed(MirrorRuntime mirror, SnapshotRun run, Lsn point, long rows) {
            locked(() -> {
                if (isCurrent(mirror, run)) {
                    mirror.run = null;
                    mirror.snapshotPoint = point;
                    mirror.snapshotDone = true;
                    Duration took = mirror.snapshotStartedAt == null ? Duration.ZERO
                            : Duration.between(mirror.snapshotStartedAt, clock.instant());
                    LOG.info("mirror {}: copied {} rows of {} at {} in {}", mirror.name(), rows, mirror.table(), point, took);
                    transition(mirror, MirrorState.RUNNING, null, false);
                }
                return null;
            });
        }

        @Override
        public void failed(MirrorRuntime mirror, SnapshotRun run, String reason, Throwable cause) {
            locked(() -> {
                if (isCurrent(mirror, run)) {
                    failLocked(mirror, reason, cause);
                }
                return null;
            });
        }

        @Override
        public void unsupported(MirrorRuntime mirror, SnapshotRun run, String reason) {
            locked(() -> {
                if (isCurrent(mirror, run)) {
                    unsupportedLocked(mirror, reason);
                }
                return null;
            });
        }

        @Override
        public void transientFailure(MirrorRuntime mirror, SnapshotRun run, String operation, RuntimeException error) {
            if (isCurrent(mirror, run)) {
                noteTransient(mirror, operation, error);
            }
        }

        private <T> T locked(Supplier<T> work) {
            try {
                lock.lockInterruptibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetryAbandonedException("wait for the engine lock", e);
            }
            try {
                return work.get();
            } finally {
                unlockAndSubmit();
            }
        }
    }
}
