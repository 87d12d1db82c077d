package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.port.out.ChangeSource;
import io.echodb.core.port.out.CheckpointStore;
import io.echodb.core.port.out.FencedOutException;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.out.MirrorRecord;
import io.echodb.core.time.Sleeper;
import java.time.Clock;
import java.time.Duration;
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
 *
 * <p>This class is the engine's face: building, starting, closing, and running each command under the lock. The
 * work is done by {@link StreamLoop} (the stream thread), {@link StreamApplier} (one event at a time),
 * {@link MirrorCommands} (what each command does), {@link MirrorStates} (every state change) and copies
 * ({@link CopyQueue}, {@link SnapshotTask}); docs/ARCHITECTURE.md follows a change and a new table through them.
 * It is somewhat over the project's ~400-line guide because it also holds its public {@link Builder} and this
 * documentation of the engine's guarantees, which belong with its face.
 */
public final class NativeMirrorEngine implements MirrorControl, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NativeMirrorEngine.class);

    private final EngineEnv env;
    private final ExecutorService ownedExecutor;
    private final EngineLock lock;
    private final MirrorRegistry registry = new MirrorRegistry();
    private final SlotKeeper slot;
    private final MirrorStates states;
    private final StreamApplier applier;
    private final StreamLoop loop;
    private final MirrorCommands commands;
    private final SlotLag slotLag;
    private final Wakeup wakeup = new Wakeup();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private Thread streamThread;

    private NativeMirrorEngine(Builder b) {
        EngineSettings settings = b.settings;
        ChangeSource source = GatedPorts.source(b.source, b.writeGate);
        EngineListener listener = new SafeListener(b.listener);
        this.env = new EngineEnv(source, GatedPorts.sink(b.sink, b.writeGate), GatedPorts.store(b.store, b.writeGate),
                settings, b.clock, listener, new Retrier(settings, b.sleeper), running::get);
        this.ownedExecutor = b.snapshotExecutor != null ? null
                : Executors.newFixedThreadPool(settings.concurrentSnapshots(), daemonThreads("echodb-snapshot-"));
        this.lock = new EngineLock(b.snapshotExecutor != null ? b.snapshotExecutor : ownedExecutor);
        this.slot = new SlotKeeper(source, listener);
        ChangeBuffers buffers = new ChangeBuffers();
        TargetSchemas schemas = new TargetSchemas(env.sink());
        this.states = new MirrorStates(env, registry, lock, buffers, slot, schemas);
        this.applier = new StreamApplier(env, registry, buffers, states, schemas);
        this.loop = new StreamLoop(env, b.writeGate, lock, registry, states, applier, slot, wakeup);
        this.commands = new MirrorCommands(env, registry, states, loop, slot, buffers, schemas);
        this.slotLag = new SlotLag(source, b.clock);
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
            Thread t = new Thread(loop::run, "echodb-native-stream");
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
            for (MirrorRecord record : env.store().loadAll()) {
                MirrorRuntime m = new MirrorRuntime(record, env.settings().keylessTables());
                registry.add(m);
                if (m.state == MirrorState.SNAPSHOTTING || m.state == MirrorState.CREATING) {
                    states.restartInterruptedCopy(m);
                }
            }
            // A crash between removing the last mirror and dropping the slot would leave WAL pinned forever.
            slot.teardownIfLeftBehind(registry.isEmpty());
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
        Duration timeout = env.settings().controlTimeout();
        Thread t = streamThread;
        if (t != null) {
            t.interrupt();
            wakeup.signal();
            joinQuietly(t, timeout);
        }
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
            try {
                ownedExecutor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean locked = false;
        try {
            locked = lock.tryLock(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            loop.abandon();
            return;
        }
        try {
            lock.discardPending();
            loop.finalFlush();
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
    public Optional<String> streamLoopFailure() {
        Thread t = streamThread;
        if (running.get() && t != null && !t.isAlive()) {
            return Optional.of("the native stream thread " + t.getName() + " is gone while the engine runs");
        }
        return Optional.empty();
    }

    // ================================================================ commands

    @Override
    public MirrorStatus create(MirrorSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return control("create mirror " + spec.name(), () -> woken(status(commands.create(spec))));
    }

    /** Removes the mirror; when it was the last one, the slot and publication are dropped too. */
    @Override
    public void drop(MirrorName name, boolean dropTarget) {
        control("drop mirror " + name, () -> {
            commands.drop(name, dropTarget);
            return null;
        });
    }

    /** See {@link MirrorCommands#rename}. */
    @Override
    public Optional<MirrorStatus> rename(MirrorName name, MirrorSpec to) {
        return control("rename mirror " + name, () -> commands.rename(name, to).map(m -> woken(status(m))));
    }

    @Override
    public void pause(MirrorName name) {
        control("pause mirror " + name, () -> {
            commands.pause(name);
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
            commands.resume(name);
            return woken(null);
        });
    }

    /**
     * Copies the table again while changes keep flowing: the target table is emptied, then filled at a new
     * consistent point (see the class documentation). Also re-checks an unsupported table.
     */
    @Override
    public void resync(MirrorName name) {
        control("resync mirror " + name, () -> {
            commands.resync(name);
            return woken(null);
        });
    }

    @Override
    public List<MirrorStatus> list() {
        long lag = slotLag.bytes();
        List<MirrorStatus> out = new ArrayList<>();
        for (MirrorRuntime m : registry.all()) {
            out.add(states.statusOf(m, lag));
        }
        return out;
    }

    @Override
    public Optional<MirrorStatus> status(MirrorName name) {
        MirrorRuntime m = registry.get(name);
        return m == null ? Optional.empty() : Optional.of(status(m));
    }

    private MirrorStatus status(MirrorRuntime m) {
        return states.statusOf(m, slotLag.bytes());
    }

    /** The stream thread may be idling without mirrors: a command that gave it work wakes it. */
    private <T> T woken(T result) {
        wakeup.signal();
        return result;
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
            locked = lock.tryLock(env.settings().controlTimeout());
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

    // ================================================================ test hooks

    /** Test hook: one turn of the stream loop. */
    StreamLoop.Step step() {
        return loop.step();
    }

    /** Test hook: one turn; true when events were applied. */
    boolean processOne() {
        return step() == StreamLoop.Step.EVENTS;
    }

    /** Test hook: see {@link StreamLoop#drain}. */
    void drain() {
        loop.drain();
    }

    /** Test hook: the most rows ever held in the stream buffers at once. */
    long maxBufferedRows() {
        return locked(applier::maxBufferedRows);
    }

    /** Test hook: the last position acknowledged to the source. */
    Lsn acknowledged() {
        return locked(applier::lastAcked);
    }

    private <T> T locked(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
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
