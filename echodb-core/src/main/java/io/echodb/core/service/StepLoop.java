package io.echodb.core.service;

import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one steppable use case ({@link LeaderLoop#runOnce}, {@link ControlPlane#tick}) on its own daemon thread until
 * stopped, sleeping between steps for as long as the step asked. A step that throws is logged and retried after
 * {@code errorDelay}, so one bad round never kills the loop.
 */
public final class StepLoop implements AutoCloseable {

    /** One round of work; returns how long to wait before the next one. */
    @FunctionalInterface
    public interface Step {
        Duration run();
    }

    private static final Logger LOG = LoggerFactory.getLogger(StepLoop.class);

    private final String name;
    private final Step step;
    private final Sleeper sleeper;
    private final Duration errorDelay;
    private volatile boolean stopped;
    private volatile Thread thread;

    public StepLoop(String name, Step step, Sleeper sleeper, Duration errorDelay) {
        this.name = Objects.requireNonNull(name, "name");
        this.step = Objects.requireNonNull(step, "step");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.errorDelay = Objects.requireNonNull(errorDelay, "errorDelay");
    }

    /** Starts the loop on a daemon thread named {@code echodb-<name>}. */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("loop " + name + " already started");
        }
        Thread t = new Thread(this::runUntilStopped, "echodb-" + name);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Runs steps on the calling thread until {@link #stop()} is called or the thread is interrupted. */
    public void runUntilStopped() {
        while (!stopped && !Thread.currentThread().isInterrupted()) {
            Duration delay;
            try {
                delay = step.run();
            } catch (RuntimeException e) {
                LOG.warn("{} round failed; retrying in {}: {}", name, errorDelay, e.toString());
                delay = errorDelay;
            }
            if (stopped) {
                return;
            }
            try {
                sleeper.sleep(delay == null ? errorDelay : delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Asks the loop to end after the current step; does not wait. */
    public void stop() {
        stopped = true;
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
        }
    }

    public boolean isStopped() {
        return stopped;
    }

    /** Stops the loop and waits up to five seconds for the current step to end. */
    @Override
    public void close() {
        stop();
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
