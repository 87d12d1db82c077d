package io.echodb.core.service;

import io.echodb.core.testing.ManualClock;
import io.echodb.core.time.Sleeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StepLoopTest {

    private final ManualClock clock = new ManualClock();

    @Test
    void sleepsForAsLongAsEachStepAsksAndStopsWhenTold() {
        AtomicInteger steps = new AtomicInteger();
        StepLoop[] loop = new StepLoop[1];
        loop[0] = new StepLoop("test", () -> Duration.ofSeconds(steps.incrementAndGet()), clock, Duration.ofMinutes(1));
        clock.onSleep(() -> {
            if (steps.get() == 3) {
                loop[0].stop();
            }
        });

        loop[0].runUntilStopped();

        assertThat(steps).hasValue(3);
        assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3));
    }

    @Test
    void aFailingStepIsRetriedAfterTheErrorDelayAlsoAfterAnError() {
        AtomicInteger steps = new AtomicInteger();
        StepLoop[] loop = new StepLoop[1];
        loop[0] = new StepLoop("test", () -> {
            switch (steps.incrementAndGet()) {
                case 1 -> throw new IllegalStateException("boom");
                case 2 -> throw new StackOverflowError("deep");
                default -> loop[0].stop();
            }
            return Duration.ZERO;
        }, clock, Duration.ofSeconds(7));

        loop[0].runUntilStopped();

        assertThat(steps).hasValue(3);
        assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(7));
        assertThat(loop[0].failure()).isEmpty();
    }

    @Test
    void anInterruptThatIsNotAStopDoesNotEndTheLoop() {
        AtomicInteger steps = new AtomicInteger();
        StepLoop[] loop = new StepLoop[1];
        loop[0] = new StepLoop("test", () -> {
            if (steps.incrementAndGet() == 3) {
                loop[0].stop();
            }
            return Duration.ofSeconds(1);
        }, duration -> {
            throw new InterruptedException("stray interrupt");
        }, Duration.ofSeconds(7));

        loop[0].runUntilStopped();

        assertThat(steps).hasValue(3);
    }

    @Test
    void aLoopThatEndedWithoutAStopReportsWhy() {
        StepLoop loop = new StepLoop("doomed", () -> Duration.ZERO, duration -> {
            throw new OutOfMemoryError("no heap for the sleep");
        }, Duration.ZERO);
        assertThat(loop.failure()).isEmpty();

        assertThatThrownBy(loop::runUntilStopped).isInstanceOf(OutOfMemoryError.class);

        assertThat(loop.failure()).hasValueSatisfying(why -> assertThat(why)
                .contains("doomed loop").contains("OutOfMemoryError").contains("no heap for the sleep"));
        loop.stop();
        assertThat(loop.failure()).isEmpty();
    }

    @Test
    void runsOnItsOwnThreadUntilClosed() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(3);
        AtomicInteger steps = new AtomicInteger();
        try (StepLoop loop = new StepLoop("bg", () -> {
            steps.incrementAndGet();
            ran.countDown();
            return Duration.ofMillis(1);
        }, Sleeper.SYSTEM, Duration.ZERO)) {
            loop.start();
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(loop.isRunning()).isTrue();
            loop.close();
            assertThat(loop.isRunning()).as("close() waited for the thread to end").isFalse();
            int afterClose = steps.get();
            Thread.sleep(50);
            assertThat(steps).as("no step after close()").hasValue(afterClose);
            assertThat(loop.failure()).isEmpty();
        }
    }
}
