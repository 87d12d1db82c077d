package io.echodb.core.model;

/** Progress of an initial copy; {@code rowsEstimated} comes from planner statistics and may be off. */
public record SnapshotProgress(long rowsDone, long rowsEstimated, double rowsPerSecond, boolean done) {

    public SnapshotProgress {
        if (rowsDone < 0) {
            throw InvalidValueException.of("rowsDone", rowsDone, "must be >= 0");
        }
        if (rowsEstimated < 0) {
            throw InvalidValueException.of("rowsEstimated", rowsEstimated, "must be >= 0");
        }
        if (rowsPerSecond < 0 || Double.isNaN(rowsPerSecond)) {
            throw InvalidValueException.of("rowsPerSecond", rowsPerSecond, "must be >= 0");
        }
    }

    public static SnapshotProgress notStarted() {
        return new SnapshotProgress(0, 0, 0, false);
    }

    /**
     * Seconds until the copy ends at the current rate: empty when done, before a rate is known, or once the rows done
     * passed the estimate (it was low: the end is near but not predictable).
     */
    public java.util.OptionalLong etaSeconds() {
        if (done || rowsPerSecond <= 0 || rowsDone >= rowsEstimated) {
            return java.util.OptionalLong.empty();
        }
        return java.util.OptionalLong.of((long) Math.ceil((rowsEstimated - rowsDone) / rowsPerSecond));
    }

    /** Percentage 0..100 (100 when done), capped because estimates can be low. */
    public double percent() {
        if (done) {
            return 100.0;
        }
        return rowsEstimated == 0 ? 0.0 : Math.min(99.9, 100.0 * rowsDone / rowsEstimated);
    }
}
