package io.echodb.core.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's single lock, fair so that commands get their turn between stream batches. Copies scheduled while it
 * is held are handed to the copy executor only when the outermost holder releases it, so a copy never runs inside a
 * command or a stream turn, even with a same-thread executor.
 */
final class EngineLock {

    private static final Logger LOG = LoggerFactory.getLogger(EngineLock.class);

    private final ReentrantLock lock = new ReentrantLock(true);
    private final Executor executor;
    private final List<Runnable> pending = new ArrayList<>();

    EngineLock(Executor executor) {
        this.executor = executor;
    }

    void lock() {
        lock.lock();
    }

    void lockInterruptibly() throws InterruptedException {
        lock.lockInterruptibly();
    }

    boolean tryLock(Duration max) throws InterruptedException {
        return lock.tryLock(max.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True when another thread waits for the lock (the stream thread then ends its turn early). */
    boolean hasWaiters() {
        return lock.hasQueuedThreads();
    }

    /** Runs {@code task} on the copy executor once the lock is released; the lock must be held. */
    void submitAfterUnlock(Runnable task) {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("the engine lock must be held to schedule work");
        }
        pending.add(task);
    }

    /** Forgets work not submitted yet (the engine is closing). */
    void discardPending() {
        pending.clear();
    }

    void unlock() {
        List<Runnable> tasks = List.of();
        if (lock.getHoldCount() == 1 && !pending.isEmpty()) {
            tasks = List.copyOf(pending);
            pending.clear();
        }
        lock.unlock();
        for (Runnable task : tasks) {
            try {
                executor.execute(task);
            } catch (RejectedExecutionException e) {
                LOG.debug("copy not started, the engine is stopping: {}", e.toString());
            }
        }
    }

    /** Runs {@code work} holding the lock; an interrupt while waiting abandons it. */
    <T> T locked(Supplier<T> work) {
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryAbandonedException("wait for the engine lock", e);
        }
        try {
            return work.get();
        } finally {
            unlock();
        }
    }
}
