package io.echodb.core.time;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff, the one used by every retry and reconnect loop: the first wait is {@code initial}, each next
 * one doubles, capped at {@code max}; {@link #reset} after a success. Not thread-safe.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private Duration next;

    public Backoff(Duration initial, Duration max) {
        this.initial = Objects.requireNonNull(initial, "initial");
        this.max = Objects.requireNonNull(max, "max");
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= initial <= max, got " + initial + " and " + max);
        }
        this.next = initial;
    }

    /** The wait before the next attempt; the one after it is twice as long (at most {@code max}). */
    public Duration nextDelay() {
        Duration current = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return current;
    }

    /** The last attempt succeeded: the next wait is {@code initial} again. */
    public void reset() {
        next = initial;
    }
}
