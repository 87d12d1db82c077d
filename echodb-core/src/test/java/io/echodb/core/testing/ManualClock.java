package io.echodb.core.testing;

import io.echodb.core.time.Sleeper;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one hand-moved clock of the tests: it only moves when told, and as a {@link Sleeper} it "sleeps" by moving
 * itself and recording the wait, so tests step time instead of waiting. Thread-safe. {@link #onSleep} runs an action after each sleep (e.g. "the target caught up meanwhile").
 */
public final class ManualClock extends Clock implements Sleeper {

    private final AtomicReference<Instant> now;
    private final List<Duration> sleeps = new ArrayList<>();
    private volatile Runnable onSleep = () -> { };

    public ManualClock() {
        this(Instant.parse("2025-01-01T00:00:00Z"));
    }

    public ManualClock(Instant start) {
        now = new AtomicReference<>(start);
    }

    /** A clock at {@code iso} (an ISO-8601 instant). */
    public static ManualClock at(String iso) {
        return new ManualClock(Instant.parse(iso));
    }

    public void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }

    /** Sleeps taken so far. */
    public synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    public Duration slept() {
        return sleeps().stream().reduce(Duration.ZERO, Duration::plus);
    }

    public void onSleep(Runnable action) {
        onSleep = action;
    }

    @Override
    public void sleep(Duration duration) {
        synchronized (this) {
            sleeps.add(duration);
        }
        advance(duration);
        onSleep.run();
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this; // the instant is what tests move; zones do not matter to them
    }
}
