package io.echodb.runner.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The work the API accepted and runs off the request thread: commands (pause, resume, resync) and consistency checks.
 * A request waits a short while for its job; a job that takes longer keeps running and is polled at
 * {@code /commands/{id}}. Jobs run on a small pool with a bounded queue (a full queue refuses the request at once);
 * the latest {@value #KEPT} jobs are kept for polling. Thread-safe.
 */
public final class CommandJobs implements AutoCloseable {

    static final int KEPT = 200;

    /** Where a job is. */
    public enum State { RUNNING, SUCCEEDED, FAILED }

    /** One accepted job; {@code result} is what the request would have answered, {@code failure} why it failed. */
    public static final class Job {
        private final String id;
        private final String kind;
        private final String target;
        private final Instant submittedAt;
        private final CompletableFuture<Object> future = new CompletableFuture<>();
        private volatile Instant finishedAt;

        private Job(String id, String kind, String target, Instant submittedAt) {
            this.id = id;
            this.kind = kind;
            this.target = target;
            this.submittedAt = submittedAt;
        }

        public String id() {
            return id;
        }

        public String kind() {
            return kind;
        }

        public String target() {
            return target;
        }

        public Instant submittedAt() {
            return submittedAt;
        }

        public Optional<Instant> finishedAt() {
            return Optional.ofNullable(finishedAt);
        }

        public State state() {
            if (!future.isDone()) {
                return State.RUNNING;
            }
            return future.isCompletedExceptionally() ? State.FAILED : State.SUCCEEDED;
        }

        /** The result once succeeded; empty otherwise. */
        public Optional<Object> result() {
            return state() == State.SUCCEEDED ? Optional.ofNullable(future.join()) : Optional.empty();
        }

        /** The failure once failed; empty otherwise. */
        public Optional<RuntimeException> failure() {
            if (state() != State.FAILED) {
                return Optional.empty();
            }
            try {
                future.join();
                return Optional.empty();
            } catch (java.util.concurrent.CompletionException e) {
                return Optional.of(asRuntime(e.getCause()));
            }
        }
    }

    private final ThreadPoolExecutor pool;
    private final Clock clock;
    private final Map<String, Job> jobs = new LinkedHashMap<>();

    /** {@code threads}: jobs that run at once; {@code queue}: jobs that may wait for a thread before requests are refused. */
    public CommandJobs(int threads, int queue, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.pool = daemonPool("echodb-api-job-", threads, queue);
    }

    /** A pool of {@code threads} daemon threads (ended when idle) with {@code queue} places; a full queue refuses. */
    static ThreadPoolExecutor daemonPool(String namePrefix, int threads, int queue) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
                r -> {
                    Thread t = new Thread(r, namePrefix + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * Starts {@code work}; throws {@link JobsBusyException} when the queue is full. The job is listed at once.
     */
    public Job submit(String kind, String target, Supplier<Object> work) {
        Job job = new Job(UUID.randomUUID().toString(), kind, target, clock.instant());
        try {
            pool.execute(() -> {
                try {
                    job.future.complete(work.get());
                } catch (Throwable e) {
                    job.future.completeExceptionally(e);
                } finally {
                    job.finishedAt = clock.instant();
                }
            });
        } catch (RejectedExecutionException e) {
            throw JobsBusyException.of(pool.getQueue().size() + pool.getActiveCount());
        }
        synchronized (jobs) {
            jobs.put(job.id(), job);
            while (jobs.size() > KEPT) {
                jobs.remove(jobs.keySet().iterator().next());
            }
        }
        return job;
    }

    /**
     * Waits at most {@code max} for the job: its result when it succeeded in time, empty when it still runs; rethrows
     * its failure (the same exception the work threw) when it failed in time.
     */
    public static Optional<Object> await(Job job, Duration max) {
        try {
            return Optional.ofNullable(job.future.get(max.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw asRuntime(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    public Optional<Job> find(String id) {
        synchronized (jobs) {
            return Optional.ofNullable(jobs.get(id));
        }
    }

    /** The kept jobs, newest first. */
    public List<Job> recent() {
        synchronized (jobs) {
            List<Job> out = new ArrayList<>(jobs.values());
            java.util.Collections.reverse(out);
            return out;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    private static RuntimeException asRuntime(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(t);
    }
}
