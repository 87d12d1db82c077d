package io.echodb.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.testing.InMemoryChangeSink;
import io.echodb.core.testing.InMemoryChangeSource;
import io.echodb.core.testing.InMemoryCheckpointStore;
import io.echodb.core.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import io.echodb.core.change.Lsn;

/** In-memory world for engine tests: fakes, a hand-moved clock, a recording sleeper and a queued copy executor. */
final class EngineFixture {

    static final Column ID = Column.of("id", ColumnType.INT64, false);
    static final Column NAME = Column.of("name", ColumnType.TEXT, true);
    static final Column QTY = Column.of("qty", ColumnType.INT32, true);

    final ManualClock clock = new ManualClock(Instant.parse("2025-01-01T00:00:00Z"));
    final InMemoryChangeSource source = new InMemoryChangeSource(clock);
    final InMemoryChangeSink sink = new InMemoryChangeSink();
    final InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    final ManualClock sleeper = clock;
    final List<String> events = new CopyOnWriteArrayList<>();
    QueuedExecutor snapshots = new QueuedExecutor();
    EngineSettings settings = EngineSettings.defaults().withPollTimeout(Duration.ZERO).withBatchRows(1_000)
            .withSnapshotBatchRows(250).withRetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(2))
            .withSnapshotParallelism(1); // copy hooks run in a known order; one test uses 2 workers on purpose

    final EngineListener listener = new EngineListener() {
        @Override
        public void batchFlushed(TableRef table, int rows, long nanos) {
            events.add("flushed " + table + " " + rows);
        }

        @Override
        public void snapshotBatchWritten(TableRef table, int rows, long nanos) {
            events.add("copied " + table + " " + rows);
        }

        @Override
        public void stateChanged(MirrorName mirror, MirrorState from, MirrorState to, String reason) {
            events.add("state " + mirror + " " + from + "->" + to);
        }

        @Override
        public void error(MirrorName mirror, String operation, Throwable error) {
            events.add("error " + mirror + " " + operation);
        }

        @Override
        public void acknowledged(Lsn lsn) {
            events.add("ack " + lsn);
        }
    };

    /** A new engine over the same fakes (a restart), opened for stepping, with a fresh copy queue. */
    NativeMirrorEngine newEngine() {
        snapshots = new QueuedExecutor();
        NativeMirrorEngine engine = NativeMirrorEngine.builder(source, sink, store).settings(settings).clock(clock)
                .listener(listener).sleeper(sleeper).snapshotExecutor(snapshots).build();
        engine.openForStepping();
        return engine;
    }

    TableRef table(String name, int rows) {
        TableRef t = TableRef.of("public", name);
        source.createTable(t, List.of(ID, NAME, QTY), List.of("id"));
        if (rows > 0) {
            InMemoryChangeSource.Transaction tx = source.begin();
            for (int i = 1; i <= rows; i++) {
                tx.insert(t, Row.of((long) i, "row " + i, i));
            }
            tx.commit();
        }
        return t;
    }

    static MirrorSpec spec(TableRef t) {
        return new MirrorSpec(MirrorName.forTable(t, false), t, t.name());
    }

    /** Runs queued copies and drains the stream until nothing is left to do. */
    void settle(NativeMirrorEngine engine) {
        for (int i = 0; i < 100; i++) {
            int ran = snapshots.runAll();
            engine.drain();
            if (ran == 0 && snapshots.pending() == 0) {
                return;
            }
        }
        throw new AssertionError("engine did not settle");
    }

    /** The target's final view equals the source table, row for row. */
    void assertMirrored(TableRef t) {
        assertMirroredInto(t, t.name());
    }

    /** {@link #assertMirrored} for a target of another name. */
    void assertMirroredInto(TableRef t, String target) {
        TableSchema schema = source.schema(t);
        Map<RowKey, Row> expected = new LinkedHashMap<>();
        for (Row r : source.rows(t)) {
            expected.put(r.key(schema.keyIndexes()), r);
        }
        assertThat(sink.finalView(target, schema)).as("final view of %s", t).containsExactlyInAnyOrderEntriesOf(expected);
    }
}
