package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.port.out.ChangeSource;
import io.echodb.core.port.out.ChangeStream;
import io.echodb.core.port.out.CheckpointStore;
import io.echodb.core.port.out.FencedOutException;
import io.echodb.core.port.out.MirrorRecord;
import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.port.out.TargetLayout;
import io.echodb.core.port.out.SnapshotSession;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The source, the sink and the store as the engine uses them: every write (the publication and the slot included)
 * first asks the {@link WriteGate}; reads pass.
 */
final class GatedPorts {

    private GatedPorts() {
    }

    private static void check(WriteGate gate, String what) {
        if (!gate.mayWrite()) {
            throw FencedOutException.gateClosed(what);
        }
    }

    /**
     * A deposed leader must not change the publication or the slot either: its unpublish of a table the new leader
     * mirrors again would hide that table's changes from the new leader's stream (schema chaos seed 1389315).
     */
    static ChangeSource source(ChangeSource source, WriteGate gate) {
        if (gate == WriteGate.OPEN) {
            return source;
        }
        return new ChangeSource() {
            @Override
            public Lsn prepare() {
                check(gate, "create the replication slot and publication");
                return source.prepare();
            }

            @Override
            public void publish(TableRef table) {
                check(gate, "publish " + table);
                source.publish(table);
            }

            @Override
            public void unpublish(TableRef table, long relationId) {
                check(gate, "unpublish " + table);
                source.unpublish(table, relationId);
            }

            @Override
            public Optional<TableSchema> describe(TableRef table) {
                return source.describe(table);
            }

            @Override
            public Optional<TableSchema> useFullReplicaIdentity(TableRef table) {
                check(gate, "set REPLICA IDENTITY FULL on " + table);
                return source.useFullReplicaIdentity(table);
            }

            @Override
            public SnapshotSession openSnapshot() {
                return source.openSnapshot();
            }

            @Override
            public ChangeStream openStream(Lsn from) {
                check(gate, "open the change stream");
                return source.openStream(from);
            }

            @Override
            public Lsn recreateSlot() {
                check(gate, "create the replication slot again");
                return source.recreateSlot();
            }

            @Override
            public long lagBytes() {
                return source.lagBytes();
            }

            @Override
            public Lsn currentLsn() {
                return source.currentLsn();
            }

            @Override
            public void teardown() {
                check(gate, "drop the replication slot and publication");
                source.teardown();
            }
        };
    }

    static ChangeSink sink(ChangeSink sink, WriteGate gate) {
        if (gate == WriteGate.OPEN) {
            return sink;
        }
        return new ChangeSink() {
            @Override
            public SchemaSync ensureTable(String target, TableSchema schema) {
                check(gate, "shape target table " + target);
                return sink.ensureTable(target, schema);
            }

            @Override
            public SchemaSync ensureTable(String target, TableSchema schema, TargetLayout layout) {
                check(gate, "shape target table " + target);
                return sink.ensureTable(target, schema, layout);
            }

            @Override
            public boolean renameColumns(String target, Map<String, String> renames) {
                check(gate, "rename columns of " + target);
                return sink.renameColumns(target, renames);
            }

            @Override
            public boolean renameTable(String from, String to) {
                check(gate, "rename target table " + from);
                return sink.renameTable(from, to);
            }

            @Override
            public void allowPurge(String target, boolean allowed) {
                check(gate, "change the purge of " + target);
                sink.allowPurge(target, allowed);
            }

            @Override
            public void write(String target, TableSchema schema, List<SinkRow> rows) {
                check(gate, "write rows to " + target);
                sink.write(target, schema, rows);
            }

            @Override
            public Map<RowKey, SinkRow> latestRows(String target, TableSchema schema, Collection<RowKey> keys) {
                return sink.latestRows(target, schema, keys);
            }

            @Override
            public boolean isCanonicalFor(String target, TableSchema schema) {
                return sink.isCanonicalFor(target, schema);
            }

            @Override
            public void truncate(String target) {
                check(gate, "truncate " + target);
                sink.truncate(target);
            }

            @Override
            public void drop(String target) {
                check(gate, "drop " + target);
                sink.drop(target);
            }
        };
    }

    static CheckpointStore store(CheckpointStore store, WriteGate gate) {
        if (gate == WriteGate.OPEN) {
            return store;
        }
        return new CheckpointStore() {
            @Override
            public List<MirrorRecord> loadAll() {
                return store.loadAll();
            }

            @Override
            public void save(MirrorRecord record) {
                check(gate, "save mirror " + record.spec().name());
                store.save(record);
            }

            @Override
            public void delete(MirrorName name) {
                check(gate, "delete mirror " + name);
                store.delete(name);
            }

            @Override
            public void rename(MirrorName from, MirrorRecord renamed) {
                check(gate, "rename mirror " + from);
                store.rename(from, renamed);
            }
        };
    }
}
