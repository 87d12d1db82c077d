package io.echodb.core.replication;

import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.KeylessTables;
import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of the {@link NativeMirrorEngine}. A table's buffered changes are written when it holds {@code batchRows}
 * rows, or about {@code batchBytes} bytes, or its oldest row is {@code maxBatchAge} old — whichever comes first —
 * so latency stays low at low rates and batches stay large at high rates.
 *
 * @param batchRows            rows per table buffer before it is written (default 50,000)
 * @param batchBytes           estimated bytes per table buffer before it is written (default 32 MiB)
 * @param maxBatchAge          longest time a buffered row waits (default 200 ms)
 * @param ackInterval          how often the flushed position is acknowledged to the source (default 1 s)
 * @param snapshotParallelism  workers copying one table (default 2)
 * @param snapshotBatchRows    rows per target write during a copy (default 50,000)
 * @param concurrentSnapshots  tables copied at the same time (default 2)
 * @param retryInitialBackoff  first wait after a transient failure (default 100 ms)
 * @param retryMaxBackoff      longest wait between retries; the wait doubles up to it (default 30 s)
 * @param pollTimeout          how long one poll of the stream may wait for an event (default 100 ms)
 * @param maxBufferedBytes     estimated bytes across all table buffers before the largest is written (default 256 MiB)
 * @param controlTimeout       how long a command (create, drop, ...) waits for the stream thread (default 30 s)
 * @param progressLogInterval  how often copy progress is logged (default 5 s)
 * @param keylessTables        whether tables without a key are mirrored as multisets (default: reported only)
 */
public record EngineSettings(
        int batchRows,
        long batchBytes,
        Duration maxBatchAge,
        Duration ackInterval,
        int snapshotParallelism,
        int snapshotBatchRows,
        int concurrentSnapshots,
        Duration retryInitialBackoff,
        Duration retryMaxBackoff,
        Duration pollTimeout,
        long maxBufferedBytes,
        Duration controlTimeout,
        Duration progressLogInterval,
        KeylessTables keylessTables) {

    public static final long MIB = 1024L * 1024L;

    public EngineSettings {
        positive("batchRows", batchRows);
        positive("batchBytes", batchBytes);
        positive("maxBatchAge", maxBatchAge);
        positive("ackInterval", ackInterval);
        positive("snapshotParallelism", snapshotParallelism);
        positive("snapshotBatchRows", snapshotBatchRows);
        positive("concurrentSnapshots", concurrentSnapshots);
        positive("retryInitialBackoff", retryInitialBackoff);
        positive("retryMaxBackoff", retryMaxBackoff);
        if (retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
            throw InvalidValueException.of("retryMaxBackoff", retryMaxBackoff, "must be >= retryInitialBackoff " + retryInitialBackoff);
        }
        Objects.requireNonNull(pollTimeout, "pollTimeout");
        if (pollTimeout.isNegative()) {
            throw InvalidValueException.of("pollTimeout", pollTimeout, "must be >= 0");
        }
        if (maxBufferedBytes < batchBytes) {
            throw InvalidValueException.of("maxBufferedBytes", maxBufferedBytes, "must be >= batchBytes " + batchBytes);
        }
        positive("controlTimeout", controlTimeout);
        positive("progressLogInterval", progressLogInterval);
        Objects.requireNonNull(keylessTables, "keylessTables");
    }

    public static EngineSettings defaults() {
        return new EngineSettings(50_000, 32 * MIB, Duration.ofMillis(200), Duration.ofSeconds(1), 2, 50_000, 2,
                Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ofMillis(100), 256 * MIB,
                Duration.ofSeconds(30), Duration.ofSeconds(5), KeylessTables.REPORT);
    }

    public EngineSettings withBatchRows(int v) {
        return new EngineSettings(v, batchBytes, maxBatchAge, ackInterval, snapshotParallelism, snapshotBatchRows,
                concurrentSnapshots, retryInitialBackoff, retryMaxBackoff, pollTimeout, maxBufferedBytes, controlTimeout,
                progressLogInterval, keylessTables);
    }

    public EngineSettings withBatchBytes(long v) {
        return new EngineSettings(batchRows, v, maxBatchAge, ackInterval, snapshotParallelism, snapshotBatchRows,
                concurrentSnapshots, retryInitialBackoff, retryMaxBackoff, pollTimeout, Math.max(v, maxBufferedBytes),
                controlTimeout, progressLogInterval, keylessTables);
    }

    public EngineSettings withMaxBatchAge(Duration v) {
        return new EngineSettings(batchRows, batchBytes, v, ackInterval, snapshotParallelism, snapshotBatchRows,
                concurrentSnapshots, retryInitialBackoff, retryMaxBackoff, pollTimeout, maxBufferedBytes, controlTimeout,
                progressLogInterval, keylessTables);
    }

    public EngineSettings withAckInterval(Duration v) {
        return new EngineSettings(batchRows, batchBytes, maxBatchAge, v, snapshotParallelism, snapshotBatchRows,
                concurrentSnapshots, retryInitialBackoff, retryMaxBackoff, pollTimeout, maxBufferedBytes, controlTimeout,
                progressLogInterval, keylessTables);
    }

    public EngineSettings withSnapshotParallelism(int v) {
        return new EngineSettings(batchRows, batchBytes, maxBatchAge, ackInterval, v, snapshotBatchRows,
                concurrentSnapshots, retryInitialBackoff, retryMaxBackoff, pollTimeout, maxBufferedBytes, controlTimeout,
                progressLogInterval, keylessTables);
    }

    public EngineSettings withSnapshotBatchRows(int v) {
        return new EngineSettings(batchRows, batchBytes, maxBatchAge, ackInterval, snapshotParallelism, v,
                concurrentSnapshots, retryInitialBackoff, retryMaxBackoff, pollTimeout, maxBufferedBytes, controlTimeout,
                progressLogInterval, keylessTables);
    }

    public EngineSettings withConcurrentSnapshots(int v) {
        return new EngineSettings(batchRows, batchBytes, maxBatchAge, ackInterval, snapshotParallelism, snapshotBatchRows,
                v, retryInitialBackoff, retryMaxBackoff, pollTimeout, maxBufferedBytes, controlTimeout,
                progressLogInterval, keylessTables);
    }

    public EngineSettings withRetryBackoff(Duration initial, Duration max) {
        return new EngineSettings(batchRows, batchBytes, maxBatchAge, ackInterval, snapshotParallelism, snapshotBatchRows,
                concurrentSnapshots, initial, max, pollTimeout, maxBufferedBytes, controlTimeout, progressLogInterval, keylessTables);
    }

    public EngineSettings withPollTimeout(Duration v) {
        return new EngineSettings(batchRows, batchBytes, maxBatchAge, ackInterval, snapshotParallelism, snapshotBatchRows,
                concurrentSnapshots, retryInitialBackoff, retryMaxBackoff, v, maxBufferedBytes, controlTimeout,
                progressLogInterval, keylessTables);
    }

    public EngineSettings withMaxBufferedBytes(long v) {
        return new EngineSettings(batchRows, batchBytes, maxBatchAge, ackInterval, snapshotParallelism, snapshotBatchRows,
                concurrentSnapshots, retryInitialBackoff, retryMaxBackoff, pollTimeout, v, controlTimeout,
                progressLogInterval, keylessTables);
    }

    public EngineSettings withControlTimeout(Duration v) {
        return new EngineSettings(batchRows, batchBytes, maxBatchAge, ackInterval, snapshotParallelism, snapshotBatchRows,
                concurrentSnapshots, retryInitialBackoff, retryMaxBackoff, pollTimeout, maxBufferedBytes, v,
                progressLogInterval, keylessTables);
    }

    public EngineSettings withProgressLogInterval(Duration v) {
        return new EngineSettings(batchRows, batchBytes, maxBatchAge, ackInterval, snapshotParallelism, snapshotBatchRows,
                concurrentSnapshots, retryInitialBackoff, retryMaxBackoff, pollTimeout, maxBufferedBytes, controlTimeout, v, keylessTables);
    }

    public EngineSettings withKeylessTables(KeylessTables v) {
        return new EngineSettings(batchRows, batchBytes, maxBatchAge, ackInterval, snapshotParallelism, snapshotBatchRows,
                concurrentSnapshots, retryInitialBackoff, retryMaxBackoff, pollTimeout, maxBufferedBytes, controlTimeout,
                progressLogInterval, v);
    }

    private static void positive(String field, long value) {
        if (value <= 0) {
            throw InvalidValueException.of(field, value, "must be > 0");
        }
    }

    private static void positive(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (value.isZero() || value.isNegative()) {
            throw InvalidValueException.of(field, value, "must be > 0");
        }
    }
}
