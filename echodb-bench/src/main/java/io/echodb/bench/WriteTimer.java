package io.echodb.bench;

import io.echodb.core.model.TableRef;
import io.echodb.core.replication.EngineListener;
import java.util.concurrent.atomic.AtomicLong;

/** Sums the time the engine spent in target writes, as it reports them: shows the sink's share of a run. */
final class WriteTimer implements EngineListener {

    final AtomicLong snapshotRows = new AtomicLong();
    final AtomicLong snapshotNanos = new AtomicLong();
    final AtomicLong snapshotBatches = new AtomicLong();
    final AtomicLong streamRows = new AtomicLong();
    final AtomicLong streamNanos = new AtomicLong();
    final AtomicLong streamBatches = new AtomicLong();

    @Override
    public void snapshotBatchWritten(TableRef table, int rows, long nanos) {
        snapshotRows.addAndGet(rows);
        snapshotNanos.addAndGet(nanos);
        snapshotBatches.incrementAndGet();
    }

    @Override
    public void batchFlushed(TableRef table, int rows, long nanos) {
        streamRows.addAndGet(rows);
        streamNanos.addAndGet(nanos);
        streamBatches.incrementAndGet();
    }
}
