package io.echodb.runner.engine;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.port.out.ChangeSource;
import io.echodb.core.port.out.ChangeStream;
import io.echodb.core.port.out.CheckpointStore;
import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.port.out.SnapshotSession;
import io.echodb.core.port.out.MirrorRecord;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Port implementations that forward every call to a real adapter; tests subclass them to observe calls or inject
 * faults at exact points, while the real adapter does the work.
 */
final class Forwarding {

    private Forwarding() {
    }

    static class Source implements ChangeSource {
        final ChangeSource delegate;

        Source(ChangeSource delegate) {
            this.delegate = delegate;
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
            return delegate.openStream(from);
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

    static class Stream implements ChangeStream {
        final ChangeStream delegate;

        Stream(ChangeStream delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<ChangeEvent> poll(Duration timeout) {
            return delegate.poll(timeout);
        }

        @Override
        public void acknowledge(Lsn flushed) {
            delegate.acknowledge(flushed);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    static class Snapshot implements SnapshotSession {
        final SnapshotSession delegate;

        Snapshot(SnapshotSession delegate) {
            this.delegate = delegate;
        }

        @Override
        public Lsn consistentPoint() {
            return delegate.consistentPoint();
        }

        @Override
        public long estimateRows(TableRef table, List<io.echodb.core.port.out.CopyRange> finished) {
            return delegate.estimateRows(table, finished);
        }

        @Override
        public void copy(TableSchema schema, java.util.Set<String> omitted, int parallelism,
                List<io.echodb.core.port.out.CopyRange> finished, io.echodb.core.port.out.CopyReceiver batches) {
            delegate.copy(schema, omitted, parallelism, finished, batches);
        }

        /** {@code receiver}, with {@code peek} run on each batch first; finished ranges pass through. */
        static io.echodb.core.port.out.CopyReceiver peeking(io.echodb.core.port.out.CopyReceiver receiver,
                Consumer<List<Row>> peek) {
            return new io.echodb.core.port.out.CopyReceiver() {
                @Override
                public void accept(List<Row> rows) {
                    peek.accept(rows);
                    receiver.accept(rows);
                }

                @Override
                public void rangeFinished(io.echodb.core.port.out.CopyRange range) {
                    receiver.rangeFinished(range);
                }
            };
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    static class Sink implements ChangeSink {
        final ChangeSink delegate;

        Sink(ChangeSink delegate) {
            this.delegate = delegate;
        }

        @Override
        public SchemaSync ensureTable(String target, TableSchema schema) {
            return delegate.ensureTable(target, schema);
        }

        @Override
        public SchemaSync ensureTable(String target, TableSchema schema, io.echodb.core.port.out.TargetLayout layout) {
            return delegate.ensureTable(target, schema, layout);
        }

        @Override
        public void allowPurge(String target, boolean allowed) {
            delegate.allowPurge(target, allowed);
        }

        @Override
        public boolean renameTable(String from, String to) {
            return delegate.renameTable(from, to);
        }

        @Override
        public boolean renameColumns(String target, java.util.Map<String, String> renames) {
            return delegate.renameColumns(target, renames);
        }

        @Override
        public void write(String target, TableSchema schema, List<SinkRow> rows) {
            delegate.write(target, schema, rows);
        }

        @Override
        public Map<RowKey, SinkRow> latestRows(String target, TableSchema schema, Collection<RowKey> keys) {
            return delegate.latestRows(target, schema, keys);
        }

        @Override
        public boolean isCanonicalFor(String target, TableSchema schema) {
            return delegate.isCanonicalFor(target, schema);
        }

        @Override
        public void truncate(String target) {
            delegate.truncate(target);
        }

        @Override
        public void drop(String target) {
            delegate.drop(target);
        }
    }

    static class Store implements CheckpointStore {
        final CheckpointStore delegate;

        Store(CheckpointStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public List<MirrorRecord> loadAll() {
            return delegate.loadAll();
        }

        @Override
        public void save(MirrorRecord record) {
            delegate.save(record);
        }

        @Override
        public void delete(MirrorName name) {
            delegate.delete(name);
        }

        @Override
        public void rename(MirrorName from, io.echodb.core.port.out.MirrorRecord renamed) {
            delegate.rename(from, renamed);
        }
    }
}
