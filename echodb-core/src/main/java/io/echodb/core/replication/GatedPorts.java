package io.echodb.core.replication;

import io.echodb.core.port.MirrorRecord;

import io.echodb.core.change.SinkRow;
import io.echodb.core.model.MirrorName;
import io.echodb.core.port.ChangeSink;
import io.echodb.core.port.CheckpointStore;
import io.echodb.core.port.FencedOutException;
import io.echodb.core.port.SchemaSync;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** The sink and the store as the engine uses them: every write first asks the {@link WriteGate}; reads pass. */
final class GatedPorts {

    private GatedPorts() {
    }

    private static void check(WriteGate gate, String what) {
        if (!gate.mayWrite()) {
            throw FencedOutException.gateClosed(what);
        }
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
        };
    }
}
