package io.echodb.core.replication;

import io.echodb.core.model.InvalidValueException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The memory all copies of one engine may hold in rows read but not yet written, shared fairly among the workers
 * copying now: each closes a target write at {@code budget / (2 × workers)} estimated bytes, at most
 * {@code maxWriteBytes} and at least {@link #MIN_WRITE_BYTES}. A worker holds at most two writes (one gathering, one in
 * flight), so together they stay within the budget however many tables copy at once and however many workers each
 * has (as long as the budget is at least {@code 2 × MIN_WRITE_BYTES} per worker). A worker joining shrinks the others'
 * next writes at once; a write already in flight keeps its size. Thread-safe.
 */
final class CopyMemory {

    /** Smaller writes would cost more in per-insert overhead than they save. */
    static final long MIN_WRITE_BYTES = 256 * 1024;

    private final long budget;
    private final long maxWriteBytes;
    private final AtomicInteger workers = new AtomicInteger();

    CopyMemory(long budget, long maxWriteBytes) {
        if (budget <= 0) {
            throw InvalidValueException.of("copy memory budget", budget, "must be > 0");
        }
        if (maxWriteBytes <= 0) {
            throw InvalidValueException.of("copy write bytes", maxWriteBytes, "must be > 0");
        }
        this.budget = budget;
        this.maxWriteBytes = maxWriteBytes;
    }

    /** A copy worker started delivering rows; {@link #workerLeft} when its copy ends. */
    void workerJoined() {
        workers.incrementAndGet();
    }

    void workerLeft() {
        workers.decrementAndGet();
    }

    /** Workers copying now. */
    int workers() {
        return workers.get();
    }

    /** Estimated bytes after which a worker closes its write now. */
    long writeBytes() {
        long fairShare = budget / (2L * Math.max(1, workers.get()));
        return Math.max(Math.min(MIN_WRITE_BYTES, maxWriteBytes), Math.min(maxWriteBytes, fairShare));
    }
}
