package io.echodb.bench;

import io.echodb.core.change.SinkRow;
import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the rows the wrapped sink accepted and notes the moment the count reached a target: the engine writes
 * one row per streamed change (it never merges changes), so "target rows accepted" means "every change applied".
 */
final class CountingSink implements ChangeSink {

    private final ChangeSink delegate;
    private final long target;
    private final AtomicLong rows = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong writeNanos = new AtomicLong();
    private final CountDownLatch reached = new CountDownLatch(1);
    private volatile long reachedAtNanos;
    private volatile long halfAtNanos;
    private volatile long halfCpuNanos;
    private volatile long rowsAtHalf;

    CountingSink(ChangeSink delegate, long target) {
        this.delegate = delegate;
        this.target = target;
    }

    long rows() {
        return rows.get();
    }

    long writes() {
        return writes.get();
    }

    long writeNanos() {
        return writeNanos.get();
    }

    CountDownLatch reached() {
        return reached;
    }

    long reachedAtNanos() {
        return reachedAtNanos;
    }

    /** When half of the target was accepted: the second half's rate is the warmed-up (steady) rate. */
    long halfAtNanos() {
        return halfAtNanos;
    }

    /** Rows accepted at {@link #halfAtNanos()} (the first write that reached half the target). */
    long rowsAtHalf() {
        return rowsAtHalf;
    }

    /** The process CPU time at {@link #halfAtNanos()}. */
    long halfCpuNanos() {
        return halfCpuNanos;
    }

    @Override
    public SchemaSync ensureTable(String t, TableSchema schema) {
        return delegate.ensureTable(t, schema);
    }

    @Override
    public void write(String t, TableSchema schema, List<SinkRow> batch) {
        long start = System.nanoTime();
        delegate.write(t, schema, batch);
        long end = System.nanoTime();
        writes.incrementAndGet();
        writeNanos.addAndGet(end - start);
        long total = rows.addAndGet(batch.size());
        if (total >= target / 2 && halfAtNanos == 0) {
            halfCpuNanos = ProcStats.cpuNanos();
            rowsAtHalf = total;
            halfAtNanos = end;
        }
        if (total >= target && reachedAtNanos == 0) {
            reachedAtNanos = end;
            reached.countDown();
        }
    }

    @Override
    public Map<RowKey, SinkRow> latestRows(String t, TableSchema schema, Collection<RowKey> keys) {
        return delegate.latestRows(t, schema, keys);
    }

    @Override
    public boolean isCanonicalFor(String t, TableSchema schema) {
        return delegate.isCanonicalFor(t, schema);
    }

    @Override
    public void truncate(String t) {
        delegate.truncate(t);
    }

    @Override
    public void drop(String t) {
        delegate.drop(t);
    }
}
