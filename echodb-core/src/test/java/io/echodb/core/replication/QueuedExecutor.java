package io.echodb.core.replication;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** Holds tasks until the test runs them, on the test thread. */
final class QueuedExecutor implements Executor {

    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
        tasks.add(task);
    }

    synchronized int pending() {
        return tasks.size();
    }

    /** Runs queued tasks, including ones queued meanwhile, until none is left; returns how many ran. */
    int runAll() {
        int ran = 0;
        while (true) {
            Runnable next;
            synchronized (this) {
                next = tasks.poll();
            }
            if (next == null) {
                return ran;
            }
            next.run();
            ran++;
        }
    }

    /** Forgets queued tasks (an abandoned engine's work). */
    synchronized void clear() {
        tasks.clear();
    }
}
