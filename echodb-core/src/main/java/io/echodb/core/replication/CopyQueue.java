package io.echodb.core.replication;

import io.echodb.core.port.out.SnapshotSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies waiting for a copy worker. A worker takes its share of what waits (divided by the number of workers, rounded
 * up, at most {@value #MOST_PER_SNAPSHOT} tables) and copies it from one shared snapshot, so copies scheduled close
 * together — 200 tables created by one migration — share exported snapshots instead of queueing for one each, and a
 * lone copy still starts at once. Thread-safe.
 */
final class CopyQueue {

    private static final Logger LOG = LoggerFactory.getLogger(CopyQueue.class);

    /** Tables copied from one snapshot at most: bounds how long one snapshot is held and how long a copy waits. */
    static final int MOST_PER_SNAPSHOT = 50;

    private final Deque<SnapshotTask> waiting = new ArrayDeque<>();
    private final int workers;
    private final SnapshotSource source;
    private final SnapshotHost host;

    CopyQueue(int workers, SnapshotSource source, SnapshotHost host) {
        this.workers = Math.max(1, workers);
        this.source = source;
        this.host = host;
    }

    /** Adds a copy; a worker must then run {@link #copyWaiting} (one call per copy added). */
    synchronized void add(SnapshotTask task) {
        waiting.add(task);
    }

    /**
     * Copies this worker's share of the waiting copies, if any are left. A copy that dies of a
     * {@link VirtualMachineError} (out of memory above all) would leave its mirror SNAPSHOTTING with no copy running,
     * forever: every copy of the share not finished yet fails instead, saying why (I3). Other errors (tests simulate a
     * killed process with one) go on up.
     */
    void copyWaiting() {
        List<SnapshotTask> share = takeShare();
        try {
            if (share.size() == 1) {
                share.get(0).run();
            } else if (share.size() > 1) {
                new SharedSnapshotCopy(share, source, host).run();
            }
        } catch (VirtualMachineError e) {
            LOG.error("a copy worker died of {}; the copies it held fail", e.toString(), e);
            share.forEach(task -> task.diedOf(e));
        }
    }

    private synchronized List<SnapshotTask> takeShare() {
        int n = Math.min(MOST_PER_SNAPSHOT, (waiting.size() + workers - 1) / workers);
        List<SnapshotTask> share = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            share.add(waiting.poll());
        }
        return share;
    }
}
