package io.echodb.core.replication;

import static io.echodb.core.replication.EngineFixture.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.core.schema.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Tables created together (a migration, a restore) share exported snapshots, and the shortcuts a burst takes — no
 * second shaping and no emptying of a target the mirror itself just created — never leave a row the source no longer
 * has (I1), whatever fails in between.
 */
class NativeMirrorEngineBurstTest {

    private final EngineFixture f = new EngineFixture();

    @Test
    void tablesCreatedTogetherAreCopiedFromSharedSnapshotsAndExactly() {
        List<TableRef> tables = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tables.add(f.table("burst_" + i, 30 + i));
        }
        NativeMirrorEngine engine = f.newEngine();
        int opened = f.source.snapshotsOpened();
        for (TableRef t : tables) {
            engine.create(spec(t));
            // Changes committed between the creates and the shared snapshot are in the copy; later ones in the stream.
            f.source.update(t, Row.of(1L, "changed before the copy", 1));
            f.source.delete(t, 2L);
        }
        AtomicInteger batches = new AtomicInteger();
        f.source.onSnapshotBatch(() -> {
            if (batches.incrementAndGet() == 2) {
                tables.forEach(t -> f.source.insert(t, Row.of(1000L, "during the copies", 1000)));
            }
        });
        f.settle(engine);

        // Two copy workers, each taking half of what waits (rounded up): 3, 2 and 1 tables, each share from one snapshot.
        assertThat(f.source.snapshotsOpened() - opened).isEqualTo(3);
        assertThat(f.sink.truncateCalls()).as("targets created empty are not emptied again").isZero();
        for (TableRef t : tables) {
            assertThat(engine.status(spec(t).name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
            f.assertMirrored(t);
        }
    }

    @Test
    void aFirstCopyThatFailsAfterWritingRowsEmptiesTheTargetBeforeItsNextAttempt() {
        TableRef t = f.table("retried", 1000);
        f.source.copyRangePages(1_000); // one range: none finished when the attempt fails, so the next starts over
        NativeMirrorEngine engine = f.newEngine();
        AtomicInteger batches = new AtomicInteger();
        f.source.onSnapshotBatch(() -> {
            if (batches.incrementAndGet() == 6) {
                // Rows 1..500 are written by now; row 1 goes away before the next attempt's snapshot, so its delete
                // predates that copy and only emptying the target removes it.
                f.source.delete(t, 1L);
                throw SourceUnavailableException.of("copy", new IllegalStateException("connection lost"));
            }
        });
        engine.create(spec(t));
        f.settle(engine);

        assertThat(batches.get()).isGreaterThan(6);
        assertThat(f.sink.truncateCalls()).isEqualTo(1);
        assertThat(engine.status(spec(t).name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
        f.assertMirrored(t);
    }

    /** The same failure after five finished ranges: the next attempt keeps them, and the stream deletes row 1. */
    @Test
    void aCopyThatFailsAfterFinishingRangesResumesWithoutEmptyingTheTarget() {
        TableRef t = f.table("resumed", 1000);
        NativeMirrorEngine engine = f.newEngine();
        AtomicInteger batches = new AtomicInteger();
        f.source.onSnapshotBatch(() -> {
            if (batches.incrementAndGet() == 6) {
                f.source.delete(t, 1L);
                throw SourceUnavailableException.of("copy", new IllegalStateException("connection lost"));
            }
        });
        engine.create(spec(t));
        f.settle(engine);

        assertThat(batches.get()).as("5 ranges finished, 5 read again").isEqualTo(11);
        assertThat(f.sink.truncateCalls()).isZero();
        assertThat(engine.status(spec(t).name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
        f.assertMirrored(t);
    }

    @Test
    void aTableWhoseCopyFailsInASharedSnapshotCopiesOnItsOwnAndExactly() {
        TableRef small = f.table("group_small", 10);
        TableRef failing = f.table("group_failing", 1000);
        TableRef other = f.table("group_other", 20);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(spec(small));
        engine.create(spec(failing));
        engine.create(spec(other));
        int opened = f.source.snapshotsOpened();
        AtomicInteger batches = new AtomicInteger();
        f.source.onSnapshotBatch(() -> {
            // batch 1 is the small table's; batches 2.. the failing one's, which shares the small one's snapshot
            if (batches.incrementAndGet() == 7) {
                f.source.delete(failing, 1L);
                throw SourceUnavailableException.of("copy", new IllegalStateException("connection lost"));
            }
        });
        f.settle(engine);

        // the shared one (two of the three), the failing table's own, and the third table's
        assertThat(f.source.snapshotsOpened() - opened).isEqualTo(3);
        for (TableRef t : List.of(small, failing, other)) {
            assertThat(engine.status(spec(t).name()).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
            f.assertMirrored(t);
        }
    }
}
