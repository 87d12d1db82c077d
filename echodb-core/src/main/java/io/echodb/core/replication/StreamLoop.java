package io.echodb.core.replication;

import io.echodb.core.time.Backoff;
import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.port.out.ChangeStream;
import io.echodb.core.port.out.FencedOutException;
import io.echodb.core.port.out.SlotInvalidatedException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream thread's loop: opens the change stream from the slot (after waiting out a reconnect backoff), applies
 * a few hundred events per turn holding the engine lock, and closes the stream to replay it from the slot after any
 * failure. Survives every failure; ends only when the engine stops. Each turn is {@link #step}.
 */
final class StreamLoop {

    private static final Logger LOG = LoggerFactory.getLogger(StreamLoop.class);
    private static final int EVENTS_PER_TURN = 512;
    private static final Duration IDLE_WAIT = Duration.ofSeconds(1);
    private static final Duration POLL_SLICE = Duration.ofMillis(10);

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

    private final EngineEnv env;
    private final WriteGate gate;
    private final EngineLock lock;
    private final MirrorRegistry registry;
    private final MirrorStates states;
    private final StreamApplier applier;
    private final SlotKeeper slot;
    private final Wakeup wakeup;

    // Guarded by lock.
    private final Backoff reconnectBackoff;

    private volatile Duration reconnectDelay;
    /** The open stream, for {@link #abandon} when the stream thread cannot be stopped; written under the lock. */
    private volatile ChangeStream liveStream;
    /** close() stopped waiting for the stream thread: the thread ends any stream it still holds when it ends. */
    private volatile boolean closeGaveUp;

    StreamLoop(EngineEnv env, WriteGate gate, EngineLock lock, MirrorRegistry registry, MirrorStates states,
            StreamApplier applier, SlotKeeper slot, Wakeup wakeup) {
        this.env = env;
        this.gate = gate;
        this.lock = lock;
        this.registry = registry;
        this.states = states;
        this.applier = applier;
        this.slot = slot;
        this.wakeup = wakeup;
        this.reconnectBackoff = env.retrier().newBackoff();
    }

    /** The stream thread's body. */
    void run() {
        try {
            loopUntilClosed();
        } finally {
            closeAbandonedStream();
        }
    }

    private void loopUntilClosed() {
        while (env.isRunning()) {
            if (Thread.interrupted()) {
                // close() clears running before it interrupts; any other interrupt must not make the loop spin.
                continue;
            }
            Step step;
            try {
                step = step();
            } catch (RuntimeException | Error e) {
                if (!env.isRunning()) {
                    break;
                }
                LOG.error("native stream loop failed; replaying from the slot", e);
                env.listener().error(null, "run the stream loop", e);
                replayFromTheSlot();
                reconnectDelay = Duration.ofMillis(Math.max(1, env.settings().retryInitialBackoff().toMillis()));
                step = Step.FAILED;
            }
            if (step == Step.NO_WORK) {
                wakeup.await(IDLE_WAIT);
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
                env.retrier().sleeper().sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Step.STOPPED;
            }
        }
        if (!env.isRunning()) {
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
                slot.teardownIfPending();
                return Step.NO_WORK;
            }
            if (!applier.attached() && !openStream()) {
                return Step.FAILED;
            }
            return applyTurn();
        } finally {
            lock.unlock();
        }
    }

    private Step applyTurn() {
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
                return env.isRunning() ? Step.FAILED : Step.STOPPED;
            }
            applied++;
            if (lock.hasWaiters()) {
                break;
            }
        }
        return Step.EVENTS;
    }

    /**
     * The next event, waiting up to the poll timeout in short slices. The stream thread holds the engine lock while it
     * waits, so a command or a copy asking for the lock gets it within one slice, not a whole poll timeout: with whole
     * timeouts a burst of 200 new tables spent most of its time queued behind idle polls (the lock is fair, and every
     * create and every copy takes it several times).
     */
    private Optional<ChangeEvent> pollYielding() {
        ChangeStream stream = applier.stream();
        long remaining = env.settings().pollTimeout().toNanos();
        while (true) {
            long slice = Math.min(remaining, POLL_SLICE.toNanos());
            Optional<ChangeEvent> event = stream.poll(Duration.ofNanos(slice));
            remaining -= slice;
            if (event.isPresent() || remaining <= 0 || lock.hasWaiters()) {
                return event;
            }
        }
    }

    /**
     * Applies everything the stream has (reconnecting after failures, up to a limit), then writes every buffer and
     * acknowledges. For tests, which drive the loop without its thread.
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
                applyOrFail(this::flushAndAcknowledge);
            }
        } finally {
            lock.unlock();
        }
    }

    private void flushAndAcknowledge() {
        applier.flushAll();
        applier.maybeAck(true);
    }

    /**
     * The engine closes and holds the lock: writes what is buffered (one attempt), acknowledges it and ends the
     * stream. What cannot be written now is replayed on the next start.
     */
    void finalFlush() {
        if (!applier.attached()) {
            return;
        }
        try {
            flushAndAcknowledge();
        } catch (RuntimeException e) {
            LOG.info("final flush skipped ({}); the changes will be replayed on the next start", e.getMessage());
        }
        closeStream();
    }

    /**
     * The engine closes without the lock: the stream thread is stuck (e.g. in a write to an unresponsive target). Its
     * stream must still end: an open replication connection keeps the slot active, and the next leader could not
     * stream until the server's wal_sender_timeout. Nothing is lost: what was not acknowledged is replayed.
     */
    void abandon() {
        LOG.warn("native mirror engine closed without a final flush: the stream thread did not stop in time;"
                + " closing its replication stream");
        closeGaveUp = true;
        ChangeStream s = liveStream;
        if (s != null) {
            closeQuietly(s);
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

    /** Applies stream work; a failure outside any single table (e.g. the acknowledgement) restarts the stream. */
    private boolean applyOrFail(Runnable work) {
        try {
            work.run();
            return applier.attached();
        } catch (RetryAbandonedException e) {
            if (env.isRunning()) {
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
            slot.ensurePrepared();
            Lsn from = Lsn.max(slot.position(), applier.lastAcked());
            // The replay may repeat Relation events older than what the last session already pushed to the targets.
            Lsn serverNow = env.source().currentLsn();
            for (MirrorRuntime m : registry.all()) {
                m.shapedUpTo = m.shapedUpTo == null ? serverNow : Lsn.max(m.shapedUpTo, serverNow);
            }
            ChangeStream stream = env.source().openStream(from);
            if (!env.isRunning()) {
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
        env.listener().error(null, "stream from an invalidated replication slot", e);
        Lsn position;
        try {
            closeStream();
            position = slot.recreate();
        } catch (RuntimeException failed) {
            streamFailed("create the invalidated replication slot again", failed);
            return;
        }
        int recopied = 0;
        for (MirrorRuntime m : registry.all()) {
            if (m.isActive()) {
                states.resync(m);
                recopied++;
            }
        }
        wakeup.signal();
        LOG.error("replication slot created again at {}; copying {} mirror(s) again", position, recopied);
        env.listener().slotRecreated(e.getMessage(), recopied);
        reconnectDelay = Duration.ofMillis(Math.max(1, env.settings().retryInitialBackoff().toMillis()));
    }

    private void streamFailed(String what, Throwable e) {
        Duration delay = reconnectBackoff.nextDelay();
        LOG.warn("failed to {}; reconnecting from the slot in {}: {}", what, delay, e.toString());
        env.listener().error(null, what, e);
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

    /** Ends the stream session (under the lock); the next turn opens a new one from the slot. */
    void closeStream() {
        liveStream = null;
        ChangeStream s = applier.detach();
        if (s != null) {
            closeQuietly(s);
        }
    }

    /** See {@link BufferWriter#flushMirror}. */
    boolean flushMirror(MirrorRuntime m) {
        return applier.flushMirror(m);
    }

    private static void closeQuietly(ChangeStream s) {
        try {
            s.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the change stream failed: {}", e.toString());
        }
    }
}
