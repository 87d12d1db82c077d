package io.echodb.core.testing.services;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a readiness check until it succeeds, the process being waited for exits, or a timeout expires. */
public final class Waits {
    private Waits() {
    }

    /** A readiness check: true when ready; an exception means "not yet" and is kept as the last error. */
    @FunctionalInterface
    public interface Check {
        boolean ready() throws Exception;
    }

    /** How a wait ended: ready, the process exited, or (neither) the timeout expired; plus the last check error. */
    public record Result(boolean ready, boolean exited, Exception lastError) {
    }

    /**
     * Runs {@code check} every {@code interval} until it returns true or {@code timeout} passes; stops early (with
     * {@link Result#exited()}) as soon as {@code alive} is false. An interrupt is passed on to the caller.
     */
    public static Result until(Duration timeout, Duration interval, BooleanSupplier alive, Check check)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!alive.getAsBoolean()) {
                return new Result(false, true, last);
            }
            try {
                if (check.ready()) {
                    return new Result(true, false, last);
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(interval.toMillis());
        }
        return new Result(false, false, last);
    }
}
