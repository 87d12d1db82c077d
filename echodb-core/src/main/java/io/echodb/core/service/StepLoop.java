package io.echodb.core.service;

import io.echodb.core.time.Sleeper;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one steppable use case ({@link LeaderLoop#runOnce}, {@link ControlPlane#tick}) on its own daemon thread until
 * stopped, sleeping between steps for as long as the step asked. A step that throws (an {@link Error} too) is logged and
 * retried after {@code errorDelay}, and only {@link #stop()} ends the loop, so one bad round never kills it; should its
 * thread end anyway, {@link #failure()} says so and why (the worker's liveness reports it).
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
    private volatile String endedBecause;

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

    /** Runs steps on the calling thread until {@link #stop()} is called. */
    public void runUntilStopped() {
        Throwable last = null;
        try {
            while (!stopped) {
                Duration delay;
                try {
                    delay = step.run();
                } catch (RuntimeException e) {
                    LOG.warn("{} round failed; retrying in {}: {}", name, errorDelay, e.toString());
                    delay = errorDelay;
                } catch (Error e) {
                    last = e;
                    LOG.error("{} round failed with an error; retrying in {}", name, errorDelay, e);
                    delay = errorDelay;
                }
                if (stopped) {
                    return;
                }
                try {
                    sleeper.sleep(delay == null ? errorDelay : delay);
                } catch (InterruptedException e) {
                    // stop() interrupts after setting the flag; any other interrupt must not end the loop
                    Thread.interrupted();
                }
            }
        } catch (RuntimeException | Error e) {
            last = e;
            throw e;
        } finally {
            if (!stopped) {
                endedBecause = last == null ? "ended" : "ended: " + last;
                LOG.error("{} loop {} while the worker runs", name, endedBecause);
            }
        }
    }

    /** Why the loop no longer runs although nobody stopped it; empty while it runs (or before it started). */
    public Optional<String> failure() {
        if (stopped) {
            return Optional.empty();
        }
        String why = endedBecause;
        Thread t = thread;
        if (why == null && t != null && !t.isAlive()) {
            why = "thread " + t.getName() + " is gone";
        }
        return why == null ? Optional.empty() : Optional.of("the " + name + " loop " + why);
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

    /** True while the loop's own thread (from {@link #start()}) is alive. */
    public boolean isRunning() {
        Thread t = thread;
        return t != null && t.isAlive();
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
