package io.echodb.runner.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The replication lag over the last hour, sampled by the worker (not by the browser, so the chart is there when the
 * console is opened): one sample per {@link #record} call, samples older than the window dropped. Thread-safe.
 */
public final class LagHistory {

    /** One sample; the numbers are null when unknown (a follower has no lag of its own). */
    public record Sample(Instant at, Double lagSeconds, Long lagBytes, Long retainedWalBytes) {
        public Sample {
            Objects.requireNonNull(at, "at");
        }
    }

    private final Clock clock;
    private final Duration window;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    public LagHistory(Clock clock, Duration window) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.window = Objects.requireNonNull(window, "window");
    }

    public void record(Double lagSeconds, Long lagBytes, Long retainedWalBytes) {
        Instant now = clock.instant();
        synchronized (samples) {
            samples.addLast(new Sample(now, lagSeconds, lagBytes, retainedWalBytes));
            Instant oldest = now.minus(window);
            while (!samples.isEmpty() && samples.peekFirst().at().isBefore(oldest)) {
                samples.removeFirst();
            }
        }
    }

    /** Oldest first. */
    public List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(new ArrayList<>(samples));
        }
    }
}
