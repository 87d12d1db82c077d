package io.echodb.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Validation and derived values of the smaller model records. */
class ModelRecordsTest {

    private static final Instant AT = Instant.parse("2025-01-01T00:00:00Z");
    private static final TableRef USERS = TableRef.of("public", "users");
    private static final MirrorSpec SPEC = new MirrorSpec(new MirrorName("users_mirror"), USERS, "users");

    @Test
    void ddlEventsNeedAPositivePositionATableAndATime() {
        assertThat(new DdlEvent.TableCreated(1, USERS, AT).table()).isEqualTo(USERS);
        assertThatThrownBy(() -> new DdlEvent.TableDropped(0, USERS, AT)).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("position");
        assertThatThrownBy(() -> new DdlEvent.TableAltered(1, null, AT)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new DdlEvent.TableCreated(1, USERS, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aRenameNamesTheNewTableAsItsTable() {
        DdlEvent.TableRenamed r = new DdlEvent.TableRenamed(3, TableRef.of("public", "old"), USERS, AT);

        assertThat(r.table()).isEqualTo(USERS);
        assertThat(r.from()).isEqualTo(TableRef.of("public", "old"));
        assertThatThrownBy(() -> new DdlEvent.TableRenamed(3, null, USERS, AT)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void consistencyReportsDeriveMatchAndDifference() {
        ConsistencyReport mismatch = new ConsistencyReport(USERS, "count", 10, 7,
                ConsistencyReport.Verdict.MISMATCH, 0, null, AT);

        assertThat(mismatch.match()).isFalse();
        assertThat(mismatch.difference()).isEqualTo(3);
        assertThat(mismatch.differingKeys()).isEmpty();
        ConsistencyReport extra = new ConsistencyReport(USERS, "count", 7, 10,
                ConsistencyReport.Verdict.MISMATCH, 0, List.of("id=1"), AT);
        assertThat(extra.difference()).isEqualTo(-3);
        assertThat(new ConsistencyReport(USERS, "count", 5, 5, ConsistencyReport.Verdict.MATCH, 0, List.of(), AT).match())
                .isTrue();
    }

    @Test
    void leasesNeedAHolderAndAPositiveToken() {
        assertThat(new Lease("w1", 1, AT).fencingToken()).isEqualTo(1);
        assertThatThrownBy(() -> new Lease(" ", 1, AT)).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("holder");
        assertThatThrownBy(() -> new Lease("w1", 0, AT)).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("fencing token");
    }

    @Test
    void mirrorSpecsNeedAUsableTargetName() {
        assertThatThrownBy(() -> new MirrorSpec(SPEC.name(), USERS, " ")).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("target table");
        assertThatThrownBy(() -> new MirrorSpec(SPEC.name(), USERS, "a\0b")).isInstanceOf(InvalidValueException.class);
    }

    @Test
    void mirrorStatusExposesNameAndError() {
        MirrorStatus ok = new MirrorStatus(SPEC, MirrorState.RUNNING, 5, 0, SnapshotProgress.notStarted(), null, AT);
        MirrorStatus failed = new MirrorStatus(SPEC, MirrorState.FAILED, 5, 0, SnapshotProgress.notStarted(), "boom", AT);

        assertThat(ok.name()).isEqualTo(SPEC.name());
        assertThat(ok.error()).isEmpty();
        assertThat(failed.error()).contains("boom");
        assertThatThrownBy(() -> new MirrorStatus(SPEC, MirrorState.RUNNING, -1, 0, SnapshotProgress.notStarted(), null, AT))
                .isInstanceOf(InvalidValueException.class);
    }

    @Test
    void onlyCreatingSnapshottingAndRunningAreActive() {
        assertThat(MirrorState.values()).filteredOn(MirrorState::isActive)
                .containsExactly(MirrorState.CREATING, MirrorState.SNAPSHOTTING, MirrorState.RUNNING);
    }

    @Test
    void rowCountsAreNeverNegative() {
        assertThat(new RowCount(USERS, 0, AT).count()).isZero();
        assertThatThrownBy(() -> new RowCount(USERS, -1, AT)).isInstanceOf(InvalidValueException.class);
    }
}
