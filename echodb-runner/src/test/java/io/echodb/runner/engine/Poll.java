package io.echodb.runner.engine;

import io.echodb.core.testing.Eventually;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for asynchronous outcomes with a deadline (the engine works on its own threads); built on {@link Eventually}. */
final class Poll {

    private Poll() {
    }

    /** Runs {@code assertion} until it passes; after {@code timeout} its last failure is rethrown. */
    static void until(Duration timeout, Runnable assertion) {
        Eventually.eventually(timeout, assertion);
    }

    /** Waits until {@code condition} holds; fails naming {@code what} after {@code timeout}. */
    static void until(Duration timeout, String what, BooleanSupplier condition) {
        Eventually.await(timeout, what, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
    }

    /** Waits until {@code value} yields non-null, and returns it. */
    static <T> T value(Duration timeout, String what, Supplier<T> value) {
        return Eventually.await(timeout, what, value);
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
