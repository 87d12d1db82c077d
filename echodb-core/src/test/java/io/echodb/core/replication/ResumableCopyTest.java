package io.echodb.core.replication;

import static io.echodb.core.replication.EngineFixture.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.SnapshotProgress;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.CopyCheckpoint;
import io.echodb.core.port.out.CopyRange;
import io.echodb.core.port.out.MirrorRecord;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.testing.InMemoryChangeSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Copies cut short resume from the ranges they finished (issue 16) and stay exact (I1): the stream applies from the
 * first attempt's point, finished ranges are kept, and every reason a finished range no longer holds (a truncate, a
 * rewritten file, a key-less table, a row moved into a finished range with values nobody can resend) makes the copy
 * start over instead.
 */
class ResumableCopyTest {

    /** Thrown from a copy batch: the process dies there, nothing after it runs. */
    private static final class Crash extends Error {
        Crash() {
            super("process killed", null, false, false);
        }
    }

    private final EngineFixture f = new EngineFixture();

    /** Lets the copy deliver {@code batches} batches, running {@code before} ahead of the last one, then crashes. */
    private void crashAtBatch(int batches, Runnable before) {
        AtomicInteger seen = new AtomicInteger();
        f.source.onSnapshotBatch(() -> {
            int n = seen.incrementAndGet();
            if (n == batches) {
                before.run();
            }
            if (n >= batches) {
                throw new Crash();
            }
        });
    }

    /** Starts a mirror of {@code t} whose copy dies as {@link #crashAtBatch} says; returns the dead engine's record. */
    private MirrorRecord copyUntilCrash(TableRef t) {
        NativeMirrorEngine first = f.newEngine();
        first.create(spec(t));
        assertThatThrownBy(() -> f.snapshots.runAll()).isInstanceOf(Crash.class);
        first.drain();
        f.source.onSnapshotBatch(() -> { });
        f.source.dropConnections();
        return f.store.get(spec(t).name());
    }

    private int copiedRows() {
        return f.events.stream().filter(e -> e.startsWith("copied ")).mapToInt(e -> Integer.parseInt(e.substring(e.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void aCopyCutShortResumesFromItsFinishedRangesAndStaysExact() {
        TableRef t = f.table("resumed", 1_000);
        crashAtBatch(5, () -> f.source.begin()
                .update(t, Row.of(3L, "changed after the point", 3))
                .delete(t, RowKey.of(950L))
                .insert(t, Row.of(1_001L, "inserted after the point", 1))
                .commit());
        MirrorRecord atCrash = copyUntilCrash(t);

        CopyCheckpoint progress = atCrash.copy();
        assertThat(atCrash.state()).isEqualTo(MirrorState.SNAPSHOTTING);
        assertThat(progress.finished()).hasSize(1);
        assertThat(progress.finished().get(0).firstPage()).isZero();
        assertThat(progress.finished().get(0).endPage()).isEqualTo(400);
        f.source.begin().update(t, Row.of(5L, "changed while no one ran", 5)).delete(t, RowKey.of(7L)).commit();
        f.events.clear();

        NativeMirrorEngine second = f.newEngine();
        f.settle(second);

        assertThat(second.status(spec(t).name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
        f.assertMirrored(t);
        assertThat(copiedRows()).as("rows the resumed copy read: not the 400 of the finished ranges")
                .isLessThanOrEqualTo(1_000 - 400 + 3).isGreaterThan(500);
        assertThat(f.events).noneMatch(e -> e.startsWith("state ") && e.endsWith("->SNAPSHOTTING"));
        MirrorRecord done = f.store.get(spec(t).name());
        assertThat(done.snapshotPoint()).as("the stream applies from the first attempt's point").isEqualTo(progress.point());
        assertThat(done.copy().resumed()).isTrue();
        assertThat(done.copy().finished()).isEmpty();
        SnapshotProgress shown = second.status(spec(t).name()).orElseThrow().snapshot();
        assertThat(shown.rowsEstimated()).as("the resumed copy's estimate is what it had left to read")
                .isEqualTo(shown.rowsDone()).isEqualTo(copiedRows());

        f.source.begin().update(t, Row.of(8L, "after the copy", 8)).commit();
        second.drain();
        f.assertMirrored(t);
    }

    /**
     * Parallel workers finish ranges in any order: the open-ended last range (where updated rows go) finished, an
     * earlier one did not. A row of that earlier range updated with an unchanged TOAST value moves into the finished
     * range; the resumed copy never reads it, and no one can resend the value. Skipping the update would lose the
     * row (I1): the mirror copies again instead.
     */
    @Test
    void aRowMovedIntoAFinishedRangeWithValuesNobodyResendsIsCopiedAgainNotLost() {
        TableRef t = f.table("moved", 0);
        String big = "t".repeat(InMemoryChangeSource.TOAST_THRESHOLD + 500);
        InMemoryChangeSource.Transaction load = f.source.begin();
        load.insert(t, Row.of(1L, big, 1));
        for (long id = 2; id <= 300; id++) {
            load.insert(t, Row.of(id, "row " + id, (int) id));
        }
        load.commit();
        f.source.copyRangesLastFirst(true); // ranges [200, end), [100, 200), [0, 100)
        crashAtBatch(3, () -> f.source.begin().update(t, Row.of(1L, big, 42)).commit());
        MirrorRecord atCrash = copyUntilCrash(t);
        assertThat(atCrash.copy().finished()).extracting(CopyRange::firstPage).containsExactly(100L);

        NativeMirrorEngine second = f.newEngine();
        f.settle(second);

        MirrorName name = spec(t).name();
        assertThat(second.status(name).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
        f.assertMirrored(t);
        assertThat(f.store.get(name).copy()).as("copied again from scratch: not a resumed copy any more").isNull();
    }

    @Test
    void aTruncateAfterThePointVoidsTheFinishedRangesDurablyBeforeTheStreamPassesIt() {
        TableRef t = f.table("truncated", 600);
        f.source.keepalives(false);
        crashAtBatch(4, () -> { });
        MirrorRecord atCrash = copyUntilCrash(t);
        assertThat(atCrash.copy().hasFinishedRanges()).isTrue();
        Lsn truncate = f.source.truncate(t);
        f.source.insert(t, Row.of(7_000L, "after the truncate", 1));

        NativeMirrorEngine second = f.newEngine();
        f.store.setUnavailable(true);
        second.drain();
        assertThat(f.source.confirmedFlush()).as("not acknowledged past the truncate while forgetting is not saved")
                .isLessThan(truncate);
        f.store.setUnavailable(false);
        f.settle(second);

        assertThat(f.store.get(spec(t).name()).copy()).isNull();
        assertThat(second.status(spec(t).name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
        f.assertMirrored(t);
    }

    /** VACUUM FULL moves rows between pages with no change in the stream: the old file's ranges are void. */
    @Test
    void aFileRewrittenWhileNoOneCopiedIsReadWholeAgain() {
        TableRef t = f.table("rewritten", 500);
        crashAtBatch(4, () -> { });
        MirrorRecord atCrash = copyUntilCrash(t);
        assertThat(atCrash.copy().hasFinishedRanges()).isTrue();
        f.source.begin().delete(t, RowKey.of(450L)).commit();
        f.source.rewriteFile(t);
        f.events.clear();

        NativeMirrorEngine second = f.newEngine();
        f.settle(second);

        f.assertMirrored(t);
        assertThat(copiedRows()).isEqualTo(499);
    }

    @Test
    void aKeylessTableNeverResumes() {
        f.settings = f.settings.withKeylessTables(io.echodb.core.model.KeylessTables.FULL);
        TableRef t = TableRef.of("public", "keyless");
        f.source.createTable(t, List.of(EngineFixture.ID, EngineFixture.NAME), List.of());
        f.source.alterReplicaIdentity(t, io.echodb.core.schema.ReplicaIdentity.FULL);
        InMemoryChangeSource.Transaction load = f.source.begin();
        for (long i = 1; i <= 400; i++) {
            load.insert(t, Row.of(i % 50, "same"));
        }
        load.commit();
        crashAtBatch(3, () -> { });
        MirrorRecord atCrash = copyUntilCrash(t);
        assertThat(atCrash.copy() == null || !atCrash.copy().hasFinishedRanges()).isTrue();
        f.events.clear();

        NativeMirrorEngine second = f.newEngine();
        f.settle(second);

        assertThat(copiedRows()).isEqualTo(400);
        assertThat(f.sink.multisetRows(t.name())).hasSize(400);
    }

    /** A ClickHouse outage during the copy is retried write by write: nothing is read twice, nothing emptied. */
    @Test
    void aSinkOutageDuringTheCopyRetriesInPlace() {
        TableRef t = f.table("outage", 1_000);
        NativeMirrorEngine engine = f.newEngine();
        AtomicInteger batches = new AtomicInteger();
        f.source.onSnapshotBatch(() -> {
            if (batches.incrementAndGet() == 6) {
                f.sink.failNextCalls(3);
            }
        });
        engine.create(spec(t));
        f.settle(engine);

        assertThat(engine.status(spec(t).name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
        f.assertMirrored(t);
        assertThat(copiedRows()).isEqualTo(1_000);
        assertThat(f.sink.truncateCalls()).isZero();
        assertThat(f.events).anyMatch(e -> e.startsWith("error "));
    }

    @Test
    void theSourceUnavailableDuringResumeKeepsTheRanges() {
        TableRef t = f.table("source_down", 800);
        crashAtBatch(5, () -> { });
        MirrorRecord atCrash = copyUntilCrash(t);
        f.source.failNext(InMemoryChangeSource.Operation.OPEN_SNAPSHOT, 2);
        f.events.clear();

        NativeMirrorEngine second = f.newEngine();
        f.settle(second);

        assertThat(f.store.get(spec(t).name()).snapshotPoint()).isEqualTo(atCrash.copy().point());
        f.assertMirrored(t);
        assertThat(copiedRows()).isEqualTo(400);
    }
}
