package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.port.out.SnapshotSource;
import io.echodb.core.port.out.FencedOutException;
import io.echodb.core.port.out.SnapshotSession;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies several tables from one exported snapshot: a burst of new tables (a migration, a restore, a restart with many
 * copies to redo) gets one temporary slot and one consistent point instead of one each. Each table follows the steps
 * of a copy of its own ({@link SnapshotTask#prepare}, point chosen, {@link SnapshotTask#copyFrom}); only the snapshot
 * is shared. Only the common path is shared, too: a table whose preparation or copy fails in any way runs afterwards
 * as a copy of its own ({@link SnapshotTask#run}), which retries, describes again and reports exactly as it always does.
 */
final class SharedSnapshotCopy implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(SharedSnapshotCopy.class);

    private final List<SnapshotTask> tasks;
    private final SnapshotSource source;
    private final SnapshotHost host;

    SharedSnapshotCopy(List<SnapshotTask> tasks, SnapshotSource source, SnapshotHost host) {
        this.tasks = List.copyOf(tasks);
        this.source = source;
        this.host = host;
    }

    @Override
    public void run() {
        List<SnapshotTask> alone = new ArrayList<>();
        try {
            Map<SnapshotTask, SnapshotTask.Prepared> ready = prepareAll(alone);
            if (!ready.isEmpty()) {
                copyAll(ready, alone);
            }
        } catch (FencedOutException e) {
            LOG.info("copies stopped: {}", e.getMessage());
            return;
        }
        for (SnapshotTask task : alone) {
            task.run();
        }
    }

    private Map<SnapshotTask, SnapshotTask.Prepared> prepareAll(List<SnapshotTask> alone) {
        Map<SnapshotTask, SnapshotTask.Prepared> ready = new LinkedHashMap<>();
        for (SnapshotTask task : tasks) {
            try {
                SnapshotTask.Prepared prepared = task.prepare();
                if (prepared != null) {
                    ready.put(task, prepared);
                }
            } catch (FencedOutException e) {
                throw e;
            } catch (RuntimeException e) {
                handOver(task, "preparing", e, alone);
            }
        }
        return ready;
    }

    private void copyAll(Map<SnapshotTask, SnapshotTask.Prepared> ready, List<SnapshotTask> alone) {
        List<SnapshotTask> pending = new ArrayList<>(ready.keySet());
        try (SnapshotSession session = source.openSnapshot()) {
            Lsn point = session.consistentPoint();
            LOG.info("copying {} tables from one snapshot at {}", ready.size(), point);
            // Every point first, in one turn: the stream stops holding these mirrors' changes before the first copy.
            host.inOneTurn(() -> pending.removeIf(task -> !task.pointChosen(point)));
            while (!pending.isEmpty()) {
                SnapshotTask task = pending.remove(0);
                try {
                    task.copyFrom(session, ready.get(task));
                } catch (SnapshotTask.CancelledException | RetryAbandonedException e) {
                    LOG.debug("mirror {}: copy stopped", task.mirror().name());
                } catch (FencedOutException e) {
                    throw e;
                } catch (RuntimeException e) {
                    handOver(task, "copying", e, alone);
                }
            }
        } catch (FencedOutException e) {
            throw e;
        } catch (RuntimeException e) {
            // The shared snapshot could not be opened (or was lost): whatever was not copied yet copies on its own.
            for (SnapshotTask task : pending) {
                handOver(task, "sharing a snapshot for", e, alone);
            }
            pending.clear();
        }
    }

    private static void handOver(SnapshotTask task, String doing, RuntimeException e, List<SnapshotTask> alone) {
        LOG.info("mirror {}: {} its table with other tables failed ({}); copying it on its own", task.mirror().name(),
                doing, e.toString());
        if (!alone.contains(task)) {
            alone.add(task);
        }
    }
}
