package io.echodb.core.replication;

import io.echodb.core.port.out.MirrorRecord;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.KeylessTables;
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
        return new MirrorRuntime(new MirrorRecord(SPEC, state, point, 0, null, Instant.EPOCH, relation), KeylessTables.REPORT);
    }

    @Test
    void aChangeOfAnotherRelationWithTheSameNameIsNotTheMirrors() {
        MirrorRuntime m = mirror(MirrorState.RUNNING, Lsn.of(100), 42);
        assertThat(m.owns(41)).isFalse();
        assertThat(m.owns(42)).isTrue();
        assertThat(mirror(MirrorState.SNAPSHOTTING, null, 42).owns(7)).as("also while copying").isFalse();
    }

    @Test
    void changesOlderThanTheCopyStillApply() {
        // an unbroken suffix of the stream is applied: older changes are overwritten by the copy or completed by later ones
        assertThat(mirror(MirrorState.RUNNING, Lsn.of(100), 42).owns(42)).isTrue();
    }

    @Test
    void unknownRelationIdsMatchByName() {
        assertThat(mirror(MirrorState.RUNNING, null, TableSchema.UNKNOWN_RELATION).owns(42)).isTrue();
        assertThat(mirror(MirrorState.RUNNING, null, 42).owns(TableSchema.UNKNOWN_RELATION)).isTrue();
    }
}
