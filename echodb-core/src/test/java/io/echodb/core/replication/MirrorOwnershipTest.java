package io.echodb.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.TableSchema;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which changes a mirror takes: those of its own relation (generation) and not older than its copy. */
class MirrorOwnershipTest {

    private static final TableRef TABLE = TableRef.of("public", "t");
    private static final MirrorSpec SPEC = new MirrorSpec(MirrorName.forTable(TABLE, false), TABLE, "t");

    private static MirrorRuntime mirror(MirrorState state, Lsn point, long relation) {
        return new MirrorRuntime(new MirrorRecord(SPEC, state, point, 0, null, Instant.EPOCH, relation));
    }

    @Test
    void aChangeOfAnotherRelationWithTheSameNameIsNotTheMirrors() {
        MirrorRuntime m = mirror(MirrorState.RUNNING, Lsn.of(100), 42);
        assertThat(m.owns(41, Lsn.of(500))).isFalse();
        assertThat(m.owns(42, Lsn.of(500))).isTrue();
    }

    @Test
    void whileCopyingEveryChangeOfTheRelationApplies() {
        MirrorRuntime m = mirror(MirrorState.SNAPSHOTTING, Lsn.of(100), 42);
        assertThat(m.owns(42, Lsn.of(50))).isTrue();
        assertThat(m.owns(7, Lsn.of(500))).as("another generation, even while copying").isFalse();
    }

    @Test
    void aRunningMirrorSkipsChangesCommittedBeforeItsCopysPoint() {
        MirrorRuntime m = mirror(MirrorState.RUNNING, Lsn.of(100), 42);
        assertThat(m.owns(42, Lsn.of(99))).isFalse();
        assertThat(m.owns(42, Lsn.of(100))).isTrue();
        assertThat(m.owns(42, null)).as("a Relation message outside a transaction").isTrue();
    }

    @Test
    void unknownRelationIdsMatchByName() {
        assertThat(mirror(MirrorState.RUNNING, null, TableSchema.UNKNOWN_RELATION).owns(42, Lsn.of(1))).isTrue();
        assertThat(mirror(MirrorState.RUNNING, null, 42).owns(TableSchema.UNKNOWN_RELATION, Lsn.of(1))).isTrue();
    }
}
