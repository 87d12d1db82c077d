package io.echodb.bench;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeSource;
import io.echodb.core.port.out.ChangeStream;
import io.echodb.core.port.out.SnapshotSession;
import io.echodb.core.schema.TableSchema;
import java.time.Duration;
import java.util.Optional;

/** A {@link ChangeSource} that notes when the first row change came out of its stream. */
final class TimedSource implements ChangeSource {

    private final ChangeSource delegate;
    // Written by the engine's one stream thread only and read after it signalled completion: a plain field keeps the
    // wrapper's own cost out of the measurement.
    private long firstChangeNanos;

    TimedSource(ChangeSource delegate) {
        this.delegate = delegate;
    }

    long firstChangeNanos() {
        return firstChangeNanos;
    }

    private static boolean isRowChange(ChangeEvent ev) {
        return ev instanceof ChangeEvent.Insert || ev instanceof ChangeEvent.Update || ev instanceof ChangeEvent.Delete;
    }

    @Override
    public Lsn prepare() {
        return delegate.prepare();
    }

    @Override
    public void publish(TableRef table) {
        delegate.publish(table);
    }

    @Override
    public void unpublish(TableRef table, long relationId) {
        delegate.unpublish(table, relationId);
    }

    @Override
    public Optional<TableSchema> describe(TableRef table) {
        return delegate.describe(table);
    }

    @Override
    public Optional<TableSchema> useFullReplicaIdentity(TableRef table) {
        return delegate.useFullReplicaIdentity(table);
    }

    @Override
    public SnapshotSession openSnapshot() {
        return delegate.openSnapshot();
    }

    @Override
    public ChangeStream openStream(Lsn from) {
        ChangeStream s = delegate.openStream(from);
        return new ChangeStream() {
            @Override
            public Optional<ChangeEvent> poll(Duration timeout) {
                Optional<ChangeEvent> e = s.poll(timeout);
                if (firstChangeNanos == 0 && e.isPresent() && isRowChange(e.get())) {
                    firstChangeNanos = System.nanoTime();
                }
                return e;
            }

            @Override
            public void acknowledge(Lsn flushed) {
                s.acknowledge(flushed);
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }

    @Override
    public long lagBytes() {
        return delegate.lagBytes();
    }

    @Override
    public Lsn currentLsn() {
        return delegate.currentLsn();
    }

    @Override
    public Lsn recreateSlot() {
        return delegate.recreateSlot();
    }

    @Override
    public void teardown() {
        delegate.teardown();
    }
}
