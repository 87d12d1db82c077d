package io.echodb.core.time;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits for a while (blocking; interruptible); injected so use cases and the engine are tested without wall time. */
@FunctionalInterface
public interface Sleeper {

    /** The real thing: sleeps on the wall clock; zero and negative durations return at once. */
    Sleeper SYSTEM = d -> {
        if (!d.isNegative() && !d.isZero()) {
            TimeUnit.NANOSECONDS.sleep(d.toNanos());
        }
    };

    void sleep(Duration duration) throws InterruptedException;
}
