package io.echodb.core.replication;

import io.echodb.core.time.Backoff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.port.out.SinkUnavailableException;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.core.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetrierTest {

    private final ManualClock clock = new ManualClock(Instant.EPOCH);
    private final ManualClock sleeper = clock;
    private final Retrier retrier = new Retrier(
            EngineSettings.defaults().withRetryBackoff(Duration.ofMillis(100), Duration.ofMillis(500)), sleeper);

    @Test
    void transientFailuresAreRetriedWithDoublingCappedWaits() {
        AtomicInteger calls = new AtomicInteger();
        List<String> told = new ArrayList<>();

        String result = retrier.call("write", () -> {
            if (calls.incrementAndGet() <= 5) {
                throw calls.get() % 2 == 0 ? SinkUnavailableException.of("write", null) : SourceUnavailableException.of("read", null);
            }
            return "done";
        }, () -> true, e -> told.add(e.getClass().getSimpleName()));

        assertThat(result).isEqualTo("done");
        assertThat(calls).hasValue(6);
        assertThat(told).hasSize(5);
        assertThat(sleeper.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400),
                Duration.ofMillis(500), Duration.ofMillis(500));
    }

    @Test
    void otherFailuresAreNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retrier.call("write", () -> {
            calls.incrementAndGet();
            throw new IllegalArgumentException("bad row");
        }, () -> true, e -> { })).isInstanceOf(IllegalArgumentException.class);
        assertThat(calls).hasValue(1);
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Test
    void theFirstAttemptIsAlwaysMadeAndUnwantedRetriesAreAbandoned() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retrier.call("write", () -> {
            calls.incrementAndGet();
            throw SinkUnavailableException.of("write", null);
        }, () -> false, e -> { })).isInstanceOf(RetryAbandonedException.class).hasMessageContaining("write");
        assertThat(calls).hasValue(1);
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Test
    void anInterruptedWaitAbandonsAndKeepsTheInterruptFlag() {
        Retrier interrupted = new Retrier(EngineSettings.defaults(), d -> {
            throw new InterruptedException();
        });
        try {
            assertThatThrownBy(() -> interrupted.run("write", () -> {
                throw SinkUnavailableException.of("write", null);
            }, () -> true, e -> { })).isInstanceOf(RetryAbandonedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void backoffResetsToTheInitialWait() {
        Backoff b = new Backoff(Duration.ofMillis(10), Duration.ofMillis(25));
        assertThat(List.of(b.nextDelay(), b.nextDelay(), b.nextDelay())).containsExactly(
                Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(25));
        b.reset();
        assertThat(b.nextDelay()).isEqualTo(Duration.ofMillis(10));
    }
}
