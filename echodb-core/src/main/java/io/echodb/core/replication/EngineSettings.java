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
 * @param copyMemoryBytes      estimated bytes all copies together hold in rows read but not yet written; each worker's
 *                             writes are its fair share of it, at most {@code batchBytes} (default 128 MiB)
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
        long copyMemoryBytes,
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
        positive("copyMemoryBytes", copyMemoryBytes);
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

    /** The defaults listed above. */
    public static EngineSettings defaults() {
        return builder().build();
    }

    /** A builder holding the defaults; set what differs, then {@link Builder#build()} validates. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.batchRows = batchRows;
        b.batchBytes = batchBytes;
        b.maxBatchAge = maxBatchAge;
        b.ackInterval = ackInterval;
        b.snapshotParallelism = snapshotParallelism;
        b.snapshotBatchRows = snapshotBatchRows;
        b.concurrentSnapshots = concurrentSnapshots;
        b.copyMemoryBytes = copyMemoryBytes;
        b.retryInitialBackoff = retryInitialBackoff;
        b.retryMaxBackoff = retryMaxBackoff;
        b.pollTimeout = pollTimeout;
        b.maxBufferedBytes = maxBufferedBytes;
        b.controlTimeout = controlTimeout;
        b.progressLogInterval = progressLogInterval;
        b.keylessTables = keylessTables;
        return b;
    }

    public EngineSettings withBatchRows(int v) {
        return toBuilder().batchRows(v).build();
    }

    /** Also raises {@code maxBufferedBytes} to {@code v} when it was lower (see {@link Builder#batchBytes}). */
    public EngineSettings withBatchBytes(long v) {
        return toBuilder().batchBytes(v).build();
    }

    public EngineSettings withMaxBatchAge(Duration v) {
        return toBuilder().maxBatchAge(v).build();
    }

    public EngineSettings withAckInterval(Duration v) {
        return toBuilder().ackInterval(v).build();
    }

    public EngineSettings withSnapshotParallelism(int v) {
        return toBuilder().snapshotParallelism(v).build();
    }

    public EngineSettings withSnapshotBatchRows(int v) {
        return toBuilder().snapshotBatchRows(v).build();
    }

    public EngineSettings withConcurrentSnapshots(int v) {
        return toBuilder().concurrentSnapshots(v).build();
    }

    public EngineSettings withCopyMemoryBytes(long v) {
        return toBuilder().copyMemoryBytes(v).build();
    }

    public EngineSettings withRetryBackoff(Duration initial, Duration max) {
        return toBuilder().retryBackoff(initial, max).build();
    }

    public EngineSettings withPollTimeout(Duration v) {
        return toBuilder().pollTimeout(v).build();
    }

    public EngineSettings withMaxBufferedBytes(long v) {
        return toBuilder().maxBufferedBytes(v).build();
    }

    public EngineSettings withControlTimeout(Duration v) {
        return toBuilder().controlTimeout(v).build();
    }

    public EngineSettings withProgressLogInterval(Duration v) {
        return toBuilder().progressLogInterval(v).build();
    }

    public EngineSettings withKeylessTables(KeylessTables v) {
        return toBuilder().keylessTables(v).build();
    }

    /** Mutable and unchecked until {@link #build()}; starts at the defaults. */
    public static final class Builder {
        private int batchRows = 50_000;
        private long batchBytes = 32 * MIB;
        private Duration maxBatchAge = Duration.ofMillis(200);
        private Duration ackInterval = Duration.ofSeconds(1);
        private int snapshotParallelism = 2;
        private int snapshotBatchRows = 50_000;
        private int concurrentSnapshots = 2;
        private long copyMemoryBytes = 128 * MIB;
        private Duration retryInitialBackoff = Duration.ofMillis(100);
        private Duration retryMaxBackoff = Duration.ofSeconds(30);
        private Duration pollTimeout = Duration.ofMillis(100);
        private long maxBufferedBytes = 256 * MIB;
        private Duration controlTimeout = Duration.ofSeconds(30);
        private Duration progressLogInterval = Duration.ofSeconds(5);
        private KeylessTables keylessTables = KeylessTables.REPORT;

        private Builder() {
        }

        public Builder batchRows(int v) {
            this.batchRows = v;
            return this;
        }

        /** Also raises {@code maxBufferedBytes} to {@code v} when it is lower (all buffers must hold one batch). */
        public Builder batchBytes(long v) {
            this.batchBytes = v;
            this.maxBufferedBytes = Math.max(v, maxBufferedBytes);
            return this;
        }

        public Builder maxBatchAge(Duration v) {
            this.maxBatchAge = v;
            return this;
        }

        public Builder ackInterval(Duration v) {
            this.ackInterval = v;
            return this;
        }

        public Builder snapshotParallelism(int v) {
            this.snapshotParallelism = v;
            return this;
        }

        public Builder snapshotBatchRows(int v) {
            this.snapshotBatchRows = v;
            return this;
        }

        public Builder concurrentSnapshots(int v) {
            this.concurrentSnapshots = v;
            return this;
        }

        public Builder copyMemoryBytes(long v) {
            this.copyMemoryBytes = v;
            return this;
        }

        public Builder pollTimeout(Duration v) {
            this.pollTimeout = v;
            return this;
        }

        public Builder maxBufferedBytes(long v) {
            this.maxBufferedBytes = v;
            return this;
        }

        public Builder controlTimeout(Duration v) {
            this.controlTimeout = v;
            return this;
        }

        public Builder progressLogInterval(Duration v) {
            this.progressLogInterval = v;
            return this;
        }

        public Builder keylessTables(KeylessTables v) {
            this.keylessTables = v;
            return this;
        }

        /** The first wait after a transient failure and the longest (the wait doubles up to it). */
        public Builder retryBackoff(Duration initial, Duration max) {
            this.retryInitialBackoff = initial;
            this.retryMaxBackoff = max;
            return this;
        }

        /** Validates (one {@link InvalidValueException} naming the first bad field). */
        public EngineSettings build() {
            return new EngineSettings(batchRows, batchBytes, maxBatchAge, ackInterval, snapshotParallelism,
                    snapshotBatchRows, concurrentSnapshots, copyMemoryBytes, retryInitialBackoff, retryMaxBackoff,
                    pollTimeout, maxBufferedBytes, controlTimeout, progressLogInterval, keylessTables);
        }
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
