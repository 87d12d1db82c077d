package io.echodb.core.replication;

import io.echodb.core.time.Sleeper;

import io.echodb.core.port.MirrorRecord;

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
import io.echodb.core.port.FencedOutException;
import io.echodb.core.port.SlotInvalidatedException;
import io.echodb.core.port.MirrorControl;
import io.echodb.core.port.MirrorEngineException;
import io.echodb.core.port.MirrorNotFoundException;
import io.echodb.core.port.SchemaSync;
import io.echodb.core.port.TableNotPublishableException;
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
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>Threads: {@link #start()} runs one stream thread; copies run on a small pool (or the executor given to the
 * builder). Commands wait at most {@link EngineSettings#controlTimeout()} for the stream thread (which holds the
 * engine lock while it retries an unreachable target) and then fail with a retryable {@link MirrorEngineException};
 * {@link #status} and {@link #list} never wait.
 *
 * <p>What the engine expects of its ports beyond their contracts: the source and the sink tolerate calls from several
 * threads (stream thread, copy workers, status readers); {@link ChangeSink#write} may be called concurrently for one
 * target; {@code SnapshotSession.copy} stops and rethrows when its callback throws (that is how a cancelled copy
 * stops); a {@code Keepalive} position covers every commit already delivered or skipped.
 */
public final class NativeMirrorEngine implements MirrorControl, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NativeMirrorEngine.class);
    private static final int EVENTS_PER_TURN = 512;
    private static final Duration IDLE_WAIT = Duration.ofSeconds(1);
    private static final Duration POLL_SLICE = Duration.ofMillis(10);
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
    private final WriteGate gate;
    private final ChangeSink sink;
    private final CheckpointStore store;
    private final EngineSettings settings;
    private final Clock clock;
    private final EngineListener listener;
    private final Sleeper sleeper;
    private final Retrier retrier;
    private final ExecutorService ownedExecutor;

    private final EngineLock lock;
    private final MirrorRegistry registry = new MirrorRegistry();
    private final StreamApplier applier;
    private final MirrorStates states;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object wakeup = new Object();

    // Guarded by lock.
    private final Backoff reconnectBackoff;
    private boolean prepared;
    private Lsn slotPosition = Lsn.ZERO;
    private boolean teardownPending;

    private volatile Duration reconnectDelay;
    private volatile long lagBytes;
    private volatile long lagReadAtMillis;
    private volatile boolean lagRead;
    private final AtomicBoolean lagRefreshing = new AtomicBoolean();
    private Thread streamThread;
    /** The open stream, for {@link #close()} when the stream thread cannot be stopped; written under the lock. */
    private volatile ChangeStream liveStream;

    private NativeMirrorEngine(Builder b) {
        this.source = GatedPorts.source(b.source, b.writeGate);
        this.gate = b.writeGate;
        this.sink = GatedPorts.sink(b.sink, b.writeGate);
        this.store = GatedPorts.store(b.store, b.writeGate);
        this.settings = b.settings;
        this.clock = b.clock;
        this.listener = new SafeListener(b.listener);
        this.sleeper = b.sleeper;
        this.retrier = new Retrier(settings, sleeper);
        this.ownedExecutor = b.snapshotExecutor != null ? null
                : Executors.newFixedThreadPool(settings.concurrentSnapshots(), daemonThreads("echodb-snapshot-"));
        this.reconnectBackoff = retrier.newBackoff();
        this.lock = new EngineLock(b.snapshotExecutor != null ? b.snapshotExecutor : ownedExecutor);
        this.states = new MirrorStates(registry, store, source, sink, settings, clock, listener, retrier, lock, running::get,
                this::ensurePrepared);
        this.applier = new StreamApplier(registry, source, sink, settings, clock, listener, retrier, states, running::get);
        states.attach(applier);
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
        private WriteGate writeGate = WriteGate.OPEN;

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

        /**
         * Asked before every write to the target or the state store, and before the stream is opened (default: always
         * open). Give a leader's engine its leadership here: once it closes, nothing this engine still has in flight
         * takes effect.
         */
        public Builder writeGate(WriteGate value) {
            this.writeGate = Objects.requireNonNull(value, "writeGate");
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
                MirrorRuntime m = new MirrorRuntime(record, settings.keylessTables());
                registry.add(m);
                if (m.state == MirrorState.SNAPSHOTTING || m.state == MirrorState.CREATING) {
                    states.restartInterruptedCopy(m);
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
            locked = lock.tryLock(settings.controlTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            // The stream thread is stuck (e.g. in a write to an unresponsive target) and holds the lock. Its stream
            // must still end: an open replication connection keeps the slot active, and the next leader could not
            // stream until the server's wal_sender_timeout. Nothing is lost: what was not acknowledged is replayed.
            LOG.warn("native mirror engine closed without a final flush: the stream thread did not stop in time;"
                    + " closing its replication stream");
            closeGaveUp = true;
            ChangeStream s = liveStream;
            if (s != null) {
                try {
                    s.close();
                } catch (RuntimeException e) {
                    LOG.debug("closing the change stream failed: {}", e.toString());
                }
            }
            return;
        }
        try {
            lock.discardPending();
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
                states.saveQuietly(m);
            }
            LOG.info("native mirror engine closed");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Replication lag in time: how long the oldest transaction received from the stream has waited to be written to
     * the target; zero when idle and caught up. Never blocks.
     */
    public Duration replicationLag() {
        return applier.replicationLag();
    }

    /**
     * Why the stream thread no longer runs although the engine was not closed (its loop survives every failure, so
     * this is a thread killed from outside); empty while it runs, before start and after close.
     */
    public java.util.Optional<String> streamLoopFailure() {
        Thread t = streamThread;
        if (running.get() && t != null && !t.isAlive()) {
            return java.util.Optional.of("the native stream thread " + t.getName() + " is gone while the engine runs");
        }
        return java.util.Optional.empty();
    }

    /** close() stopped waiting for the stream thread: the thread ends any stream it still holds when it ends. */
    private volatile boolean closeGaveUp;

    private void runLoop() {
        try {
            loopUntilClosed();
        } finally {
            closeAbandonedStream();
        }
    }

    /**
     * close() stops waiting for this thread after the control timeout; a stream this thread opened or kept after that
     * (an open that outlasted the wait: the server kept the slot busy) must still end, or its walsender holds the slot
     * for the life of the process and no leader can stream (schema chaos seed 499621525, I2/slot-held).
     */
    private void closeAbandonedStream() {
        if (!closeGaveUp) {
            return; // close() waited for this thread and ends the stream itself, after the final flush
        }
        Thread.interrupted(); // close()'s interrupt: this thread ends here anyway, and the lock must not refuse
        try {
            if (!lock.tryLock(Duration.ZERO)) {
                return; // close() holds the lock and ends the stream itself
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            if (applier.attached()) {
                LOG.warn("closing the replication stream the stream thread opened while the engine was closing");
                closeStream();
            }
        } finally {
            lock.unlock();
        }
    }

    private void loopUntilClosed() {
        while (running.get()) {
            if (Thread.interrupted()) {
                // close() clears running before it interrupts; any other interrupt must not make the loop spin.
                continue;
            }
            Step step;
            try {
                step = step();
            } catch (RuntimeException | Error e) {
                if (!running.get()) {
                    break;
                }
                LOG.error("native stream loop failed; replaying from the slot", e);
                listener.error(null, "run the stream loop", e);
                replayFromTheSlot();
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
                    event = pollYielding();
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
                if (lock.hasWaiters()) {
                    break;
                }
            }
            return Step.EVENTS;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next event, waiting up to the poll timeout in short slices. The stream thread holds the engine lock while it
     * waits, so a command or a copy asking for the lock gets it within one slice, not a whole poll timeout: with whole
     * timeouts a burst of 200 new tables spent most of its time queued behind idle polls (the lock is fair, and every
     * create and every copy takes it several times).
     */
    private Optional<ChangeEvent> pollYielding() {
        ChangeStream stream = applier.stream();
        long remaining = settings.pollTimeout().toNanos();
        while (true) {
            long slice = Math.min(remaining, POLL_SLICE.toNanos());
            Optional<ChangeEvent> event = stream.poll(Duration.ofNanos(slice));
            remaining -= slice;
            if (event.isPresent() || remaining <= 0 || lock.hasWaiters()) {
                return event;
            }
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
            lock.unlock();
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
            if (running.get()) {
                // Interrupted while the engine runs: buffered rows may be half written, so replay from the slot.
                streamFailed("apply the change stream (interrupted)", e);
            } else {
                LOG.debug("stream work abandoned: {}", e.getMessage());
            }
            return false;
        } catch (RuntimeException | Error e) {
            // An Error (a StackOverflowError in a write, say) must not lose the events being applied either: replay.
            streamFailed("apply the change stream", e);
            return false;
        }
    }

    private boolean openStream() {
        try {
            if (!gate.mayWrite()) {
                // An engine that lost its leadership must not take the slot back from the current leader's stream.
                throw FencedOutException.gateClosed("open the change stream");
            }
            ensurePrepared();
            Lsn from = Lsn.max(slotPosition, applier.lastAcked());
            // The replay may repeat Relation events older than what the last session already pushed to the targets.
            Lsn serverNow = source.currentLsn();
            for (MirrorRuntime m : registry.all()) {
                m.shapedUpTo = m.shapedUpTo == null ? serverNow : Lsn.max(m.shapedUpTo, serverNow);
            }
            ChangeStream stream = source.openStream(from);
            if (!running.get()) {
                stream.close(); // closed while opening: nobody will read it
                return false;
            }
            applier.attach(stream, from);
            liveStream = stream;
            LOG.info("streaming changes from {}", from);
            return true;
        } catch (SlotInvalidatedException e) {
            recreateSlot(e);
            return false;
        } catch (RuntimeException e) {
            streamFailed("open the change stream", e);
            return false;
        }
    }

    /**
     * The slot can never stream again (the server removed WAL it still needed): create it again and copy every mirror
     * that was applying changes at a new consistent point, which the new slot precedes, so nothing is missed from
     * there on. Paused mirrors copy when resumed anyway; failed ones keep their reason. Runs under the engine lock.
     */
    private void recreateSlot(SlotInvalidatedException e) {
        LOG.error("{}; creating the slot again and copying every mirror at a new consistent point", e.getMessage());
        listener.error(null, "stream from an invalidated replication slot", e);
        try {
            closeStream();
            slotPosition = source.recreateSlot();
        } catch (RuntimeException failed) {
            streamFailed("create the invalidated replication slot again", failed);
            return;
        }
        int recopied = 0;
        for (MirrorRuntime m : registry.all()) {
            if (m.isActive()) {
                resyncLocked(m);
                recopied++;
            }
        }
        LOG.error("replication slot created again at {}; copying {} mirror(s) again", slotPosition, recopied);
        listener.slotRecreated(e.getMessage(), recopied);
        reconnectDelay = Duration.ofMillis(Math.max(1, settings.retryInitialBackoff().toMillis()));
    }

    private void streamFailed(String what, Throwable e) {
        Duration delay = reconnectBackoff.nextDelay();
        LOG.warn("failed to {}; reconnecting from the slot in {}: {}", what, delay, e.toString());
        listener.error(null, what, e);
        closeStream();
        reconnectDelay = delay;
    }

    /** After a failure that escaped a turn: events taken from the stream may not all be applied, so read them again. */
    private void replayFromTheSlot() {
        lock.lock();
        try {
            closeStream();
        } catch (RuntimeException | Error e) {
            LOG.warn("closing the change stream after a failure failed: {}", e.toString());
        } finally {
            lock.unlock();
        }
    }

    private void closeStream() {
        liveStream = null;
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
                return states.statusOf(existing, lag());
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
            TableSchema found = source.describe(spec.source()).orElseThrow(() -> MirrorEngineException.fatal(
                    "source table " + spec.source() + " does not exist", null));
            TargetShape shape = new TargetShape(spec.settings(), settings.keylessTables());
            Optional<String> unsupported = Optional.empty();
            try {
                found = shape.withFullIdentityIfKeyless(source, found);
            } catch (TableNotPublishableException e) {
                unsupported = Optional.of(e.getMessage());
            }
            TableSchema described = found;
            TableSchema schema = shape.schema(described);
            Instant now = clock.instant();
            if (unsupported.isEmpty()) {
                unsupported = shape.problem(described);
            }
            if (unsupported.isEmpty()) {
                try {
                    // Published before anything else: a table the source cannot publish safely is never copied.
                    ensurePrepared();
                    source.publish(spec.source());
                } catch (TableNotPublishableException e) {
                    unsupported = Optional.of(e.getMessage());
                }
            }
            if (unsupported.isPresent()) {
                MirrorRuntime m = new MirrorRuntime(new MirrorRecord(spec, MirrorState.UNSUPPORTED, null, 0, unsupported.get(), now, schema.relationId()), settings.keylessTables());
                store.save(m.toRecord());
                registry.add(m);
                LOG.warn("mirror {}: table {} cannot be mirrored: {}", spec.name(), spec.source(), unsupported.get());
                listener.stateChanged(spec.name(), null, MirrorState.UNSUPPORTED, unsupported.get());
                wake();
                return states.statusOf(m, lag());
            }
            ensurePrepared();
            if (!spec.settings().isDefault()) {
                List<String> appended = shape.appendedKeyColumns(described);
                LOG.info("mirror {}: table settings {}; target sorted by {}{}", spec.name(), spec.settings(),
                        schema.keyColumns(), appended.isEmpty() ? "" : " (source key columns " + appended
                                + " appended to order_by)");
            }
            SchemaSync sync;
            try {
                sync = shape.ensure(sink, spec.targetTable(), schema);
            } catch (RuntimeException e) {
                if (Retrier.isTransient(e) || e instanceof FencedOutException) {
                    throw e;
                }
                // e.g. a partition expression ClickHouse refuses: reported on the mirror, not only in the log
                sync = new SchemaSync.Incompatible(e.getMessage());
            }
            // A rebuildable target (left by an earlier table of this name in another shape) is rebuilt by the copy.
            if (sync instanceof SchemaSync.Incompatible inc && !inc.rebuildable()) {
                String reason = "target table '" + spec.targetTable() + "' does not fit " + spec.source() + ": " + inc.reason();
                MirrorRuntime m = new MirrorRuntime(new MirrorRecord(spec, MirrorState.FAILED, null, 0, reason, now, schema.relationId()), settings.keylessTables());
                store.save(m.toRecord());
                registry.add(m);
                LOG.error("mirror {}: {}", spec.name(), reason);
                listener.stateChanged(spec.name(), null, MirrorState.FAILED, reason);
                wake();
                return states.statusOf(m, lag());
            }
            MirrorRuntime m = new MirrorRuntime(new MirrorRecord(spec, MirrorState.SNAPSHOTTING, null, 0, null, now, schema.relationId()), settings.keylessTables());
            m.latestSchema = schema;
            if (sync instanceof SchemaSync.Created) {
                m.targetCreatedEmpty(schema);
            }
            // Otherwise not marked ensured: the copy's preparation checks the target again and rebuilds one that an
            // earlier table of this name left in another shape or other column types.
            m.shapedUpTo = source.currentLsn();
            store.save(m.toRecord());
            registry.add(m);
            states.scheduleSnapshot(m);
            LOG.info("mirror {}: created for {} -> {}; copying", spec.name(), spec.source(), spec.targetTable());
            listener.stateChanged(spec.name(), null, MirrorState.SNAPSHOTTING, null);
            wake();
            return states.statusOf(m, lag());
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
            states.markDropping(m);
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

    /**
     * Follows a renamed table (ALTER TABLE … RENAME TO / SET SCHEMA) without copying it again: only when the table now
     * called {@code to.source()} is the relation this mirror follows, the mirror is running or paused, and the new names
     * are free. The buffered changes are written first, then the target is renamed, then the record — a crash in
     * between leaves the old record, and the rename, replayed from the DDL events, finds the target already renamed.
     * Changes the stream still names the old way reach the mirror by relation.
     */
    @Override
    public Optional<MirrorStatus> rename(MirrorName name, MirrorSpec to) {
        return control("rename mirror " + name, () -> {
            MirrorRuntime m = require(name);
            String refused = renameRefusal(m, to);
            if (refused != null) {
                LOG.info("mirror {}: not renamed to {} in place ({}); it is created again", name, to.name(), refused);
                return Optional.<MirrorStatus>empty();
            }
            if (m.isActive() && !applier.flushMirror(m)) {
                LOG.info("mirror {}: not renamed to {} in place (buffered changes could not be written first)", name,
                        to.name());
                return Optional.<MirrorStatus>empty();
            }
            applier.forget(m.table());
            if (!to.targetTable().equals(m.target()) && !sink.renameTable(m.target(), to.targetTable())) {
                LOG.info("mirror {}: target {} could not be renamed to {}; the mirror is created again", name, m.target(),
                        to.targetTable());
                return Optional.<MirrorStatus>empty();
            }
            MirrorSpec before = m.spec;
            MirrorSpec renamed = to.withSettings(before.settings());
            MirrorRecord record = m.toRecord();
            store.rename(name, new MirrorRecord(renamed, record.state(), record.snapshotPoint(), record.rowsSynced(),
                    record.lastError(), clock.instant(), record.relationId()));
            registry.rename(m, renamed);
            m.updatedAt = clock.instant();
            LOG.info("mirror {} is now {}: {} renamed to {}, target {} -> {}, rows kept", name, renamed.name(),
                    before.source(), renamed.source(), before.targetTable(), renamed.targetTable());
            wake();
            return Optional.of(states.statusOf(m, lag()));
        });
    }

    /** Why {@code m} cannot follow its table to {@code to} in place, or null. */
    private String renameRefusal(MirrorRuntime m, MirrorSpec to) {
        if (m.state != MirrorState.RUNNING && m.state != MirrorState.PAUSED) {
            return "it is " + m.state;
        }
        if (m.relationId == TableSchema.UNKNOWN_RELATION) {
            return "its source relation is not known";
        }
        MirrorRuntime taken = registry.get(to.name());
        if (taken == null) {
            taken = registry.forTable(to.source());
        }
        if (taken == null) {
            taken = registry.forTarget(to.targetTable());
        }
        if (taken != null && taken != m) {
            return "mirror " + taken.name() + " has one of the new names";
        }
        Optional<TableSchema> now = source.describe(to.source());
        if (now.isEmpty() || now.get().relationId() != m.relationId) {
            return to.source() + " is not the table the mirror follows";
        }
        return null;
    }

    @Override
    public void pause(MirrorName name) {
        control("pause mirror " + name, () -> {
            MirrorRuntime m = require(name);
            if (m.state == MirrorState.PAUSED || m.state == MirrorState.UNSUPPORTED) {
                return null;
            }
            states.stopApplying(m);
            states.transition(m, MirrorState.PAUSED, null, true);
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
            out.add(states.statusOf(m, lag));
        }
        return out;
    }

    @Override
    public Optional<MirrorStatus> status(MirrorName name) {
        MirrorRuntime m = registry.get(name);
        return m == null ? Optional.empty() : Optional.of(states.statusOf(m, lag()));
    }

    private void resyncLocked(MirrorRuntime m) {
        if (m.state == MirrorState.DROPPING) {
            throw MirrorEngineException.fatal("mirror " + m.name() + " is being dropped", null);
        }
        states.stopApplying(m);
        m.ensuredSchemas.clear();
        states.transition(m, MirrorState.SNAPSHOTTING, null, true);
        states.scheduleSnapshot(m);
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
            locked = lock.tryLock(settings.controlTimeout());
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
        } catch (FencedOutException e) {
            throw MirrorEngineException.retryable("cannot " + what + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (Retrier.isTransient(e)) {
                throw MirrorEngineException.retryable("cannot " + what + ": " + e.getMessage(), e);
            }
            throw MirrorEngineException.fatal("cannot " + what + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    // ================================================================ helpers

    /**
     * The slot's lag as last read, refreshed at most once a second off the caller's thread: status reads (the HTTP API)
     * never wait on PostgreSQL. The last known value stays while the source cannot answer.
     */
    private long lag() {
        long now = clock.millis();
        if ((!lagRead || now - lagReadAtMillis >= LAG_CACHE_MILLIS || now < lagReadAtMillis)
                && lagRefreshing.compareAndSet(false, true)) {
            lagReadAtMillis = now;
            lagRead = true;
            Thread t = new Thread(() -> {
                try {
                    lagBytes = Math.max(0, source.lagBytes());
                } catch (RuntimeException e) {
                    LOG.debug("could not read the slot lag: {}", e.toString());
                } finally {
                    lagRefreshing.set(false);
                }
            }, "echodb-slot-lag");
            t.setDaemon(true);
            t.start();
        }
        return lagBytes;
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
}
