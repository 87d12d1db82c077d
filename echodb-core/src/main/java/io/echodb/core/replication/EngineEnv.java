package io.echodb.core.replication;

import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.port.out.ChangeSource;
import io.echodb.core.port.out.CheckpointStore;
import java.time.Clock;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * What every part of one engine shares: its ports (already behind the write gate), settings, clock, listener, retry
 * policy, and whether the engine still runs (work stops retrying once it does not).
 */
record EngineEnv(ChangeSource source, ChangeSink sink, CheckpointStore store, EngineSettings settings, Clock clock,
        EngineListener listener, Retrier retrier, BooleanSupplier running) {

    EngineEnv {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(retrier, "retrier");
        Objects.requireNonNull(running, "running");
    }

    boolean isRunning() {
        return running.getAsBoolean();
    }
}
