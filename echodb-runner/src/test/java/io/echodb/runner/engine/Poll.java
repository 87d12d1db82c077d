package io.echodb.runner.engine;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for asynchronous outcomes with a deadline: the engine works on its own threads. */
final class Poll {

    private static final long PAUSE_MILLIS = 50;

    private Poll() {
    }

    /** Runs {@code assertion} until it passes; after {@code timeout} its last failure is rethrown. */
    static void until(Duration timeout, Runnable assertion) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError | RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            pause(PAUSE_MILLIS);
        }
    }

    /** Waits until {@code condition} holds; fails naming {@code what} after {@code timeout}. */
    static void until(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            pause(PAUSE_MILLIS);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what, last);
    }

    /** Waits until {@code value} yields non-null, and returns it. */
    static <T> T value(Duration timeout, String what, Supplier<T> value) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                T v = value.get();
                if (v != null) {
                    return v;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            pause(PAUSE_MILLIS);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what, last);
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
