package io.echodb.core.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.Row;
import io.echodb.core.testing.InMemoryChangeSource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** All copies of an engine share one memory budget: a worker's writes are its fair share (issue 16, item 2). */
class CopyMemoryTest {

    private static final long MIB = EngineSettings.MIB;

    @Test
    void eachWorkerWritesAtHalfItsShareSoTwoWritesPerWorkerFitTheBudget() {
        CopyMemory memory = new CopyMemory(128 * MIB, 32 * MIB);
        assertThat(memory.writeBytes()).as("no worker yet: as for one").isEqualTo(32 * MIB);

        memory.workerJoined();
        memory.workerJoined();
        assertThat(memory.writeBytes()).as("2 workers × 2 writes × 32 MiB").isEqualTo(32 * MIB);
        for (int i = 0; i < 6; i++) {
            memory.workerJoined();
        }
        assertThat(memory.workers()).isEqualTo(8);
        assertThat(memory.writeBytes()).as("8 workers × 2 writes × 8 MiB").isEqualTo(8 * MIB);

        for (int i = 0; i < 7; i++) {
            memory.workerLeft();
        }
        assertThat(memory.writeBytes()).as("one left: capped by the largest write").isEqualTo(32 * MIB);
    }

    @Test
    void manyWorkersNeverGetWritesBelowTheFloor() {
        CopyMemory memory = new CopyMemory(4 * MIB, 32 * MIB);
        for (int i = 0; i < 64; i++) {
            memory.workerJoined();
        }
        assertThat(memory.writeBytes()).isEqualTo(CopyMemory.MIN_WRITE_BYTES);
        assertThat(new CopyMemory(4 * MIB, 1024).writeBytes()).as("a smaller write size still wins").isEqualTo(1024);
    }

    @Test
    void aBudgetMustBePositive() {
        assertThatThrownBy(() -> EngineSettings.defaults().withCopyMemoryBytes(0))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("copyMemoryBytes");
    }

    @Test
    void aCopysWritesFollowTheEnginesCopyMemoryNotOnlyTheBatchSize() {
        int smallBudgetWrites = copyWrites(4 * CopyMemory.MIN_WRITE_BYTES);
        int largeBudgetWrites = copyWrites(256 * MIB);

        // 3,000 rows of about 2 KB: about 7 MB, in writes of the one worker's half of a 1 MiB budget.
        assertThat(largeBudgetWrites).as("rows and batch bytes allow one write").isEqualTo(1);
        assertThat(smallBudgetWrites).isGreaterThanOrEqualTo(10);
    }

    /**
     * Before: a copy thread that died of OutOfMemoryError (4 tables × 4 workers × 32 MiB writes in a 512 MiB heap, the
     * multi-table WideCopyBenchmark without a copy memory budget) left its mirror SNAPSHOTTING with no copy running,
     * forever, saying nothing. Now it fails, saying why (I3), and so does every other copy of the same snapshot.
     */
    @Test
    void copiesThatDieOfAnErrorFailTheirMirrorsSayingWhyInsteadOfCopyingForever() {
        EngineFixture f = new EngineFixture();
        TableRef a = f.table("oom_a", 300);
        TableRef b = f.table("oom_b", 300);
        NativeMirrorEngine engine = f.newEngine();
        f.source.onSnapshotBatch(() -> {
            throw new OutOfMemoryError("Java heap space (test)");
        });
        engine.create(EngineFixture.spec(a));
        engine.create(EngineFixture.spec(b)); // both wait: they copy from one shared snapshot

        f.settle(engine);

        for (TableRef t : List.of(a, b)) {
            var status = engine.status(EngineFixture.spec(t).name()).orElseThrow();
            assertThat(status.state()).as(t.toString()).isEqualTo(MirrorState.FAILED);
            assertThat(status.lastError()).contains("OutOfMemoryError", "copy memory", "resume the mirror");
        }
        f.source.onSnapshotBatch(() -> { });
        engine.resume(EngineFixture.spec(a).name());
        f.settle(engine);
        f.assertMirrored(a);
        engine.close();
    }

    /** Copies a table of about 6 MB (estimated) with the given budget; returns the number of target writes. */
    private static int copyWrites(long budget) {
        EngineFixture f = new EngineFixture();
        f.settings = f.settings.withSnapshotBatchRows(50_000).withBatchBytes(64 * MIB).withCopyMemoryBytes(budget);
        f.source.copyRangePages(10_000); // one range: only the write size closes writes
        TableRef t = TableRef.of("public", "wide_rows");
        f.source.createTable(t, List.of(EngineFixture.ID, EngineFixture.NAME, EngineFixture.QTY), List.of("id"));
        InMemoryChangeSource.Transaction tx = f.source.begin();
        String text = "x".repeat(2_000);
        long bytes = 0;
        for (int i = 1; i <= 3_000; i++) {
            Row row = Row.of((long) i, text + i, i);
            bytes += RowSize.estimate(row);
            tx.insert(t, row);
        }
        tx.commit();
        assertThat(bytes).isBetween(4 * MIB, 16 * MIB);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(EngineFixture.spec(t));
        f.settle(engine);
        f.assertMirrored(t);
        int writes = (int) f.events.stream().filter(e -> e.startsWith("copied ")).count();
        engine.close();
        return writes;
    }
}
