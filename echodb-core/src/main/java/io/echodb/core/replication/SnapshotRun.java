package io.echodb.core.replication;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One attempt at copying a table. Cancelling waits for writes in flight, so once {@link #cancelAndAwaitWrites}
 * returns no row of this run can reach the target any more (a later truncate or copy cannot be overtaken by it).
 */
final class SnapshotRun {

    private final long id;
    private volatile boolean cancelled;
    private final ReentrantReadWriteLock writes = new ReentrantReadWriteLock();

    SnapshotRun(long id) {
        this.id = id;
    }

    long id() {
        return id;
    }

    boolean isCancelled() {
        return cancelled;
    }

    /** Marks the run cancelled without waiting (engine shutdown). */
    void cancel() {
        cancelled = true;
    }

    void cancelAndAwaitWrites() {
        cancelled = true;
        if (writes.isWriteLockedByCurrentThread() || writes.getReadHoldCount() > 0) {
            return; // cancelled from inside one of our own writes: nothing else can be in flight on this thread
        }
        writes.writeLock().lock();
        writes.writeLock().unlock();
    }

    /** Runs {@code write} unless the run is cancelled; returns whether it ran. */
    boolean writeIfActive(Runnable write) {
        writes.readLock().lock();
        try {
            if (cancelled) {
                return false;
            }
            write.run();
            return true;
        } finally {
            writes.readLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "snapshot run " + id + (cancelled ? " (cancelled)" : "");
    }
}
