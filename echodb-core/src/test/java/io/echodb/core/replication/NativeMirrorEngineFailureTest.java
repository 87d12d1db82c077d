package io.echodb.core.replication;

import static io.echodb.core.replication.EngineFixture.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.testing.InMemoryChangeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Outages, crashes and per-table failures. */
class NativeMirrorEngineFailureTest {

    private final EngineFixture f = new EngineFixture();

    @Test
    void anInvalidatedSlotIsCreatedAgainAndEveryApplyingMirrorCopiedAgain() {
        TableRef kept = f.table("slot_kept", 20);
        TableRef paused = f.table("slot_paused", 5);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(kept));
        engine.create(spec(paused));
        f.settle(engine);
        engine.pause(spec(paused).name());

        // The worker falls behind, the server removes the WAL the slot still needed: these changes are gone from it.
        f.source.invalidateSlot();
        f.source.update(kept, Row.of(1L, "lost from the stream", 1));
        f.source.delete(kept, 2L);
        f.source.insert(kept, Row.of(100L, "also lost", 100));
        f.settle(engine);

        assertThat(f.source.slotsRecreated()).isEqualTo(1);
        f.assertMirrored(kept);
        assertThat(engine.status(spec(kept).name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
        assertThat(engine.status(spec(paused).name()).orElseThrow().state()).isEqualTo(MirrorState.PAUSED);

        f.source.insert(kept, Row.of(101L, "after the new slot", 101));
        f.settle(engine);
        f.assertMirrored(kept);
    }

    @Test
    void aTargetOutageIsRetriedWithBackoffAndNothingUnwrittenIsAcknowledged() {
        TableRef t = f.table("outage", 10);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(t));
        f.settle(engine);
        List<String> violations = new CopyOnWriteArrayList<>();
        AtomicInteger acks = new AtomicInteger();
        // Inserts only, so every row committed up to an acknowledged position must be in the target unchanged.
        f.source.onAcknowledge(ack -> {
            acks.incrementAndGet();
            Map<RowKey, Row> written = f.sink.finalView("outage", f.source.schema(t));
            f.source.rowsAsOf(t, ack).forEach((k, row) -> {
                if (!row.equals(written.get(k))) {
                    violations.add("acknowledged " + ack + " before " + row + " was written");
                }
            });
        });
        List<String> errorsSeen = new CopyOnWriteArrayList<>();
        f.sleeper.onSleep(() -> errorsSeen.add(String.valueOf(engine.status(spec(t).name()).orElseThrow().lastError())));
        for (int i = 0; i < 10; i++) {
            f.source.insert(t, Row.of(100L + i, "during outage", i));
        }
        int sleepsBefore = f.sleeper.sleeps().size();
        f.sink.failNextCalls(5);

        engine.drain();

        assertThat(f.sink.failedCalls()).isEqualTo(5);
        assertThat(f.sleeper.sleeps().subList(sleepsBefore, f.sleeper.sleeps().size())).containsExactly(
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofMillis(1600));
        assertThat(errorsSeen).allMatch(e -> e.contains("unavailable"));
        f.assertMirrored(t);
        assertThat(violations).isEmpty();
        assertThat(acks.get()).isPositive();
        assertThat(f.source.confirmedFlush()).isEqualTo(f.source.currentLsn());
        MirrorStatus status = engine.status(spec(t).name()).orElseThrow();
        assertThat(status.state()).isEqualTo(MirrorState.RUNNING);
        assertThat(status.lastError()).isNull();
    }

    @Test
    void theBackoffIsCappedAtTheMaximum() {
        TableRef t = f.table("capped", 1);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(t));
        f.settle(engine);
        f.source.insert(t, Row.of(2L, "x", 2));
        int before = f.sleeper.sleeps().size();
        f.sink.failNextCalls(8);

        engine.drain();

        assertThat(f.sleeper.sleeps().subList(before, f.sleeper.sleeps().size())).endsWith(
                Duration.ofMillis(1600), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2));
        f.assertMirrored(t);
    }

    @Test
    void aSourceOutageReconnectsAndReplaysFromTheSlot() {
        TableRef t = f.table("flaky_source", 5);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(t));
        f.settle(engine);
        int opened = f.source.streamsOpened();

        f.source.insert(t, Row.of(6L, "a", 6));
        f.source.failNext(InMemoryChangeSource.Operation.POLL, 1);
        f.source.failNext(InMemoryChangeSource.Operation.OPEN_STREAM, 2);
        engine.drain();
        f.assertMirrored(t);

        // The connection drops while rows sit in buffers and a transaction is half applied.
        InMemoryChangeSource.Transaction tx = f.source.begin();
        for (long i = 7; i < 50; i++) {
            tx.insert(t, Row.of(i, "b", (int) i));
        }
        tx.commit();
        f.source.update(t, Row.of(1L, "changed", 1));
        for (int i = 0; i < 5; i++) {
            engine.processOne();
        }
        f.source.dropConnections();
        f.source.delete(t, 2L);
        engine.drain();

        f.assertMirrored(t);
        assertThat(f.source.streamsOpened()).isGreaterThanOrEqualTo(opened + 2);
        assertThat(f.events).anyMatch(e -> e.startsWith("error null"));
        assertThat(engine.status(spec(t).name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
    }

    @Test
    void aCrashedEngineIsReplacedWithoutLossOrDuplicates() {
        TableRef running = f.table("crash_running", 200);
        TableRef copying = f.table("crash_copying", 300);
        f.settings = f.settings.withBatchRows(40);
        NativeMirrorEngine first = f.newEngine();
        first.create(spec(running));
        f.settle(first);
        first.create(spec(copying)); // its copy is queued but never runs: the engine "dies" first
        for (int n = 0; n < 20; n++) {
            InMemoryChangeSource.Transaction tx = f.source.begin();
            tx.update(running, Row.of((long) n + 1, "changed " + n, n));
            tx.insert(running, Row.of(1_000L + n, "new " + n, n));
            tx.update(copying, Row.of((long) n + 1, "changed " + n, n));
            tx.commit();
        }
        for (int i = 0; i < 30; i++) {
            first.processOne(); // part of it applied, part written, part acknowledged
        }
        assertThat(f.sink.rowsWritten()).isPositive();
        // Hard kill: no close(); the process's connection dies with it.
        f.source.dropConnections();
        f.source.delete(running, 3L);

        NativeMirrorEngine second = f.newEngine();
        f.settle(second);

        f.assertMirrored(running);
        f.assertMirrored(copying);
        assertThat(second.list()).extracting(MirrorStatus::state).containsOnly(MirrorState.RUNNING);
    }

    @Test
    void aCrashInTheMiddleOfACopyRestartsTheCopy() {
        TableRef t = f.table("crash_mid_copy", 1_000);
        f.source.copyBatchRows(100);
        NativeMirrorEngine first = f.newEngine();
        first.create(spec(t));
        AtomicInteger batches = new AtomicInteger();
        f.source.onSnapshotBatch(() -> {
            if (batches.incrementAndGet() == 5) {
                throw new SimulatedCrash();
            }
        });
        assertThatThrownBy(() -> f.snapshots.runAll()).isInstanceOf(SimulatedCrash.class);
        assertThat(f.sink.rowsWritten()).isPositive();
        assertThat(f.store.get(spec(t).name()).state()).isEqualTo(MirrorState.SNAPSHOTTING);
        f.source.onSnapshotBatch(() -> { });
        f.source.dropConnections();
        f.source.delete(t, 999L);

        NativeMirrorEngine second = f.newEngine();
        f.settle(second);

        f.assertMirrored(t);
        assertThat(second.status(spec(t).name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
    }

    @Test
    void aFailedStateThatCannotBeSavedHoldsTheSlotUntilItIs() {
        TableRef bad = f.table("unsaved_failure", 3);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(bad));
        f.settle(engine);
        Lsn before = f.source.confirmedFlush();

        f.store.setUnavailable(true);
        f.sink.failWritesTo("unsaved_failure", new IllegalStateException("Code: 243. Not enough space"));
        f.source.insert(bad, Row.of(4L, "x", 4));
        engine.drain();
        assertThat(engine.status(spec(bad).name()).orElseThrow().state()).isEqualTo(MirrorState.FAILED);
        assertThat(f.store.get(spec(bad).name()).state()).as("only in memory so far").isEqualTo(MirrorState.RUNNING);
        assertThat(f.source.confirmedFlush()).as("a restart must still see the skipped change").isEqualTo(before);

        f.store.setUnavailable(false);
        f.source.insert(bad, Row.of(5L, "y", 5));
        engine.drain();
        assertThat(f.store.get(spec(bad).name()).state()).isEqualTo(MirrorState.FAILED);
        assertThat(f.source.confirmedFlush()).isEqualTo(f.source.currentLsn());
    }

    @Test
    void aFailureOfOneTableStopsOnlyItsMirror() {
        TableRef bad = f.table("bad_target", 3);
        TableRef good = f.table("good_target", 3);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(bad));
        engine.create(spec(good));
        f.settle(engine);

        f.sink.failWritesTo("bad_target", new IllegalStateException("Code: 243. Not enough space"));
        f.source.begin().insert(bad, Row.of(4L, "x", 4)).insert(good, Row.of(4L, "y", 4)).commit();
        f.source.insert(good, Row.of(5L, "z", 5));
        engine.drain();

        MirrorStatus failed = engine.status(spec(bad).name()).orElseThrow();
        assertThat(failed.state()).isEqualTo(MirrorState.FAILED);
        assertThat(failed.lastError()).contains("Not enough space");
        f.assertMirrored(good);
        assertThat(f.source.confirmedFlush()).as("the failed table does not hold the slot back").isEqualTo(f.source.currentLsn());
        assertThat(f.events).contains("state bad_target_mirror RUNNING->FAILED");

        // Changes keep being skipped until the mirror is resynced, which recovers them.
        f.source.insert(bad, Row.of(6L, "skipped", 6));
        engine.drain();
        f.sink.heal("bad_target");
        engine.resync(spec(bad).name());
        f.settle(engine);
        f.assertMirrored(bad);
    }

    @Test
    void aCommandWhileTheTargetIsDownFailsRetryablyAndLeavesNothingBehind() {
        TableRef t = f.table("later", 3);
        NativeMirrorEngine engine = f.newEngine();
        f.sink.failNextCalls(1);

        assertThatThrownBy(() -> engine.create(spec(t))).isInstanceOfSatisfying(MirrorEngineException.class,
                e -> assertThat(e.isRetryable()).isTrue());
        assertThat(engine.list()).isEmpty();

        engine.create(spec(t));
        f.settle(engine);
        f.assertMirrored(t);
    }

    @Test
    void aCopyInterruptedByASourceOutageStartsOver() {
        TableRef t = f.table("copy_outage", 400);
        f.source.copyBatchRows(50);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(t));
        f.source.failNext(InMemoryChangeSource.Operation.OPEN_SNAPSHOT, 1);
        AtomicInteger batches = new AtomicInteger();
        f.source.onSnapshotBatch(() -> {
            if (batches.incrementAndGet() == 3) {
                throw io.echodb.core.port.out.SourceUnavailableException.of("copy", new IllegalStateException("connection reset"));
            }
        });

        f.settle(engine);

        assertThat(f.source.snapshotsOpened()).isEqualTo(2);
        f.assertMirrored(t);
        assertThat(engine.status(spec(t).name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
    }

    @Test
    void theAcknowledgedPositionNeverMovesBackwards() {
        TableRef t = f.table("monotone", 1);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(t));
        f.settle(engine);
        for (int i = 0; i < 30; i++) {
            f.source.insert(t, Row.of(10L + i, "x", i));
            if (i % 7 == 0) {
                f.source.dropConnections();
            }
            engine.drain();
        }
        List<Lsn> acks = new ArrayList<>(f.source.acknowledgements());
        assertThat(acks).isSorted();
        f.assertMirrored(t);
    }

    /** Stands for the process dying: not an exception any engine code handles. */
    private static final class SimulatedCrash extends Error {
        SimulatedCrash() {
            super("simulated crash");
        }
    }
}
