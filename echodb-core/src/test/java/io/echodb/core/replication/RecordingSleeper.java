package io.echodb.core.replication;

import io.echodb.core.time.Sleeper;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records requested waits and moves the test clock instead of sleeping; can run a check on each wait. */
final class RecordingSleeper implements Sleeper {

    private final TestClock clock;
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private volatile Runnable onSleep = () -> { };

    RecordingSleeper(TestClock clock) {
        this.clock = clock;
    }

    @Override
    public void sleep(Duration duration) {
        sleeps.add(duration);
        clock.advance(duration);
        onSleep.run();
    }

    List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    void onSleep(Runnable check) {
        this.onSleep = check;
    }
}
