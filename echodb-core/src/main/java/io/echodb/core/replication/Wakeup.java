package io.echodb.core.replication;

import java.time.Duration;

/** Wakes the stream thread when it idles without mirrors and a command gave it work. Thread-safe. */
final class Wakeup {

    private final Object monitor = new Object();

    void signal() {
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    /** Waits for a {@link #signal} or {@code max}, whichever comes first; an interrupt ends the wait (flag kept). */
    void await(Duration max) {
        synchronized (monitor) {
            try {
                monitor.wait(max.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
