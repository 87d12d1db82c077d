package io.echodb.core.replication;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits between retries; injected so tests never sleep on wall time. */
@FunctionalInterface
public interface Sleeper {

    /** Sleeps on the wall clock. */
    Sleeper SYSTEM = d -> TimeUnit.NANOSECONDS.sleep(d.toNanos());

    void sleep(Duration duration) throws InterruptedException;
}
