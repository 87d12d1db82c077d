package io.echodb.runner.resilience;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.function.Function;
import java.util.function.Supplier;

/** Runs a call through a breaker, once, translating a refused call into a port exception. */
final class Guard {

    private final CircuitBreaker breaker;
    private final Function<CallNotPermittedException, RuntimeException> whenOpen;

    Guard(CircuitBreaker breaker, Function<CallNotPermittedException, RuntimeException> whenOpen) {
        this.breaker = breaker;
        this.whenOpen = whenOpen;
    }

    <T> T call(Supplier<T> call) {
        Supplier<T> guarded = () -> {
            try {
                return breaker.executeSupplier(call);
            } catch (CallNotPermittedException e) {
                throw e;
            } catch (RuntimeException e) {
                Resilience.reopenIfTrialFailed(breaker, e);
                throw e;
            }
        };
        try {
            return guarded.get();
        } catch (CallNotPermittedException e) {
            throw whenOpen.apply(e);
        }
    }

    void run(Runnable call) {
        call(() -> {
            call.run();
            return null;
        });
    }

    String breakerName() {
        return breaker.getName();
    }
}
