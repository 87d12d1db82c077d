package io.echodb.core.service;

import java.time.Duration;

/** Waits for a while; injected so use cases can be tested without sleeping on wall time. */
@FunctionalInterface
public interface Sleeper {

    /** The real thing: {@link Thread#sleep}. */
    Sleeper SYSTEM = d -> {
        if (!d.isNegative() && !d.isZero()) {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        }
    };

    void sleep(Duration duration) throws InterruptedException;
}
