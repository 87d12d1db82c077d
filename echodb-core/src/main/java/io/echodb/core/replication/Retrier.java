package io.echodb.core.replication;

import io.echodb.core.time.Backoff;
import io.echodb.core.time.Sleeper;

import io.echodb.core.port.out.SinkUnavailableException;
import io.echodb.core.port.out.SourceUnavailableException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Repeats an action while it fails transiently (source or target unavailable), waiting with exponential backoff
 * through the injected {@link Sleeper}; any other exception goes straight to the caller.
 */
final class Retrier {

    private final EngineSettings settings;
    private final Sleeper sleeper;

    Retrier(EngineSettings settings, Sleeper sleeper) {
        this.settings = settings;
        this.sleeper = sleeper;
    }

    /** How waits are spent (wall-clock sleep, or a test's hand-moved clock). */
    Sleeper sleeper() {
        return sleeper;
    }

    static boolean isTransient(Throwable e) {
        return e instanceof SinkUnavailableException || e instanceof SourceUnavailableException;
    }

    Backoff newBackoff() {
        return new Backoff(settings.retryInitialBackoff(), settings.retryMaxBackoff());
    }

    /**
     * Runs {@code action} until it succeeds; the first attempt is always made. After each transient failure
     * {@code onTransientFailure} is told, then the loop sleeps, unless {@code keepTrying} says the result is no longer
     * wanted: then it throws {@link RetryAbandonedException}, as it does when interrupted (keeping the interrupt flag).
     */
    <T> T call(String what, Supplier<T> action, BooleanSupplier keepTrying, Consumer<RuntimeException> onTransientFailure) {
        Backoff backoff = newBackoff();
        while (true) {
            try {
                return action.get();
            } catch (RuntimeException e) {
                if (!isTransient(e)) {
                    throw e;
                }
                onTransientFailure.accept(e);
                if (!keepTrying.getAsBoolean()) {
                    throw new RetryAbandonedException(what, e);
                }
                sleep(what, backoff.nextDelay(), e);
            }
        }
    }

    void run(String what, Runnable action, BooleanSupplier keepTrying, Consumer<RuntimeException> onTransientFailure) {
        call(what, () -> {
            action.run();
            return null;
        }, keepTrying, onTransientFailure);
    }

    void sleep(String what, Duration delay, Throwable cause) {
        try {
            sleeper.sleep(delay);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new RetryAbandonedException(what, cause);
        }
    }
}
