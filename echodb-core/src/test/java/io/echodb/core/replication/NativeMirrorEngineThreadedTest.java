package io.echodb.core.replication;

import static io.echodb.core.replication.EngineFixture.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.testing.InMemoryChangeSink;
import io.echodb.core.testing.InMemoryChangeSource;
import io.echodb.core.testing.InMemoryCheckpointStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The engine on its own threads (stream thread, copy pool, wall-clock sleeps), as the runner uses it. */
class NativeMirrorEngineThreadedTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final InMemoryChangeSource source = new InMemoryChangeSource();
    private final InMemoryChangeSink sink = new InMemoryChangeSink();
    private final InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    private final EngineSettings settings = EngineSettings.defaults().withPollTimeout(Duration.ofMillis(20))
            .withMaxBatchAge(Duration.ofMillis(20)).withAckInterval(Duration.ofMillis(50)).withBatchRows(500)
            .withSnapshotBatchRows(200).withRetryBackoff(Duration.ofMillis(5), Duration.ofMillis(50));

    @Test
    void theStreamThreadAndCopyWorkersKeepTheTargetInStepThroughOutagesAndARestart() {
        TableRef big = table("threaded_big", 3_000);
        TableRef small = table("threaded_small", 0);
        source.copyBatchRows(100);
        NativeMirrorEngine engine = NativeMirrorEngine.builder(source, sink, store).settings(settings).build();
        engine.start();
        engine.create(spec(big));
        engine.create(spec(small));

        Random random = new Random(11);
        long nextId = 10_000;
        for (int n = 0; n < 300; n++) {
            InMemoryChangeSource.Transaction tx = source.begin();
            tx.insert(small, Row.of(nextId++, "s" + n, n));
            long key = 1 + random.nextInt(3_000);
            if (source.rows(big).stream().anyMatch(r -> r.get(0).equals(key))) {
                if (random.nextBoolean()) {
                    tx.update(big, Row.of(key, "u" + n, n));
                } else {
                    tx.delete(big, RowKey.of(key));
                }
            }
            tx.commit();
            if (n == 100) {
                sink.failNextCalls(3);
            }
            if (n == 200) {
                source.dropConnections();
            }
        }

        awaitTrue(() -> mirrored(big) && mirrored(small)
                && engine.list().stream().allMatch(s -> s.state() == MirrorState.RUNNING), "mirrors in step");
        awaitTrue(() -> source.confirmedFlush().equals(source.currentLsn()), "slot acknowledged up to the end");
        engine.close();

        assertThat(source.liveStreams()).isZero();
        assertThat(threadsNamed("echodb-")).isEmpty();
        assertThat(store.loadAll()).extracting(r -> r.state()).containsOnly(MirrorState.RUNNING);

        source.insert(small, Row.of(99_999L, "while stopped", 1));
        NativeMirrorEngine restarted = NativeMirrorEngine.builder(source, sink, store).settings(settings).build();
        restarted.start();
        try {
            awaitTrue(() -> mirrored(small), "restarted engine catches up");
            assertThat(restarted.list()).extracting(MirrorStatus::state).containsOnly(MirrorState.RUNNING);
        } finally {
            restarted.close();
        }
    }

    @Test
    void theStreamThreadSurvivesAnErrorWhileApplying() {
        TableRef t = table("threaded_error", 10);
        AtomicBoolean throwError = new AtomicBoolean();
        ChangeSink erring = new ChangeSink() {
            @Override
            public SchemaSync ensureTable(String target, TableSchema schema) {
                return sink.ensureTable(target, schema);
            }

            @Override
            public void write(String target, TableSchema schema, List<SinkRow> rows) {
                if (throwError.getAndSet(false)) {
                    throw new StackOverflowError("injected while writing " + target);
                }
                sink.write(target, schema, rows);
            }

            @Override
            public Map<RowKey, SinkRow> latestRows(String target, TableSchema schema, java.util.Collection<RowKey> keys) {
                return sink.latestRows(target, schema, keys);
            }

            @Override
            public void truncate(String target) {
                sink.truncate(target);
            }

            @Override
            public void drop(String target) {
                sink.drop(target);
            }
        };
        NativeMirrorEngine engine = NativeMirrorEngine.builder(source, erring, store).settings(settings).build();
        engine.start();
        try {
            engine.create(spec(t));
            awaitTrue(() -> mirrored(t), "copied");

            throwError.set(true);
            source.insert(t, Row.of(100L, "after the error", 1));
            awaitTrue(() -> !throwError.get() && mirrored(t), "the change applied once the error passed");
            assertThat(engine.streamLoopFailure()).isEmpty();
        } finally {
            engine.close();
        }
        assertThat(engine.streamLoopFailure()).isEmpty();
    }

    /**
     * Schema chaos seed 499621525 (I2/slot-held): a worker closed while its stream thread was still opening a stream
     * (the server kept the slot busy, and the opener ignores interrupts) gave up waiting after the control timeout; the
     * stream opened afterwards was never closed and held the slot for the life of the JVM.
     */
    @Test
    void aStreamOpenedWhileTheEngineClosesIsClosedToo() throws InterruptedException {
        TableRef t = table("threaded_late_open", 3);
        NativeMirrorEngine engine = NativeMirrorEngine.builder(source, sink, store)
                .settings(settings.withControlTimeout(Duration.ofMillis(300))).build();
        engine.start();
        engine.create(spec(t));
        awaitTrue(() -> mirrored(t), "copied");

        java.util.concurrent.CountDownLatch opening = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        source.onOpenStream(() -> {
            opening.countDown();
            while (true) {
                try {
                    release.await();
                    return;
                } catch (InterruptedException ignored) {
                    // like pgjdbc's slot-busy retry loop: an interrupt does not end the wait
                }
            }
        });
        source.dropConnections();
        assertThat(opening.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("the engine reopens its stream").isTrue();
        int opened = source.streamsOpened();
        engine.close();
        release.countDown();
        awaitTrue(() -> source.streamsOpened() > opened, "the blocked open completes after close()");
        awaitTrue(() -> source.liveStreams() == 0, "the stream opened after close() is closed, so the slot is free");
    }

    private TableRef table(String name, int rows) {
        TableRef t = TableRef.of("public", name);
        source.createTable(t, List.of(EngineFixture.ID, EngineFixture.NAME, EngineFixture.QTY), List.of("id"));
        InMemoryChangeSource.Transaction tx = source.begin();
        for (long i = 1; i <= rows; i++) {
            tx.insert(t, Row.of(i, "row " + i, (int) i));
        }
        tx.commit();
        return t;
    }

    private boolean mirrored(TableRef t) {
        if (!sink.exists(t.name())) {
            return false;
        }
        TableSchema schema = source.schema(t);
        Map<RowKey, Row> expected = new HashMap<>();
        source.rows(t).forEach(r -> expected.put(r.key(schema.keyIndexes()), r));
        return sink.finalView(t.name(), schema).equals(expected);
    }

    private static List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).toList();
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within " + DEADLINE + ": " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
