package io.echodb.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SnapshotProgressTest {

    @Test
    void percentFollowsRowsDoneOverTheEstimate() {
        assertThat(new SnapshotProgress(250, 1000, 10, false).percent()).isEqualTo(25.0);
        assertThat(SnapshotProgress.notStarted().percent()).isZero();
        assertThat(SnapshotProgress.notStarted().done()).isFalse();
    }

    @Test
    void aLowEstimateNeverShowsAnUnfinishedCopyAsComplete() {
        assertThat(new SnapshotProgress(5000, 1000, 10, false).percent()).isEqualTo(99.9);
        assertThat(new SnapshotProgress(1000, 1000, 10, false).percent()).isEqualTo(99.9);
    }

    @Test
    void aFinishedCopyIsAHundredPercentWhateverTheEstimate() {
        assertThat(new SnapshotProgress(10, 0, 0, true).percent()).isEqualTo(100.0);
        assertThat(new SnapshotProgress(10, 1_000_000, 0, true).percent()).isEqualTo(100.0);
    }

    @Test
    void theEtaIsTheRowsLeftAtTheCurrentRateWhenItCanBeKnown() {
        assertThat(new SnapshotProgress(250, 1000, 100, false).etaSeconds()).hasValue(8);
        assertThat(new SnapshotProgress(250, 1000, 0, false).etaSeconds()).isEmpty();
        assertThat(new SnapshotProgress(1500, 1000, 100, false).etaSeconds()).isEmpty();
        assertThat(new SnapshotProgress(1000, 1000, 100, true).etaSeconds()).isEmpty();
    }

    @Test
    void rejectsNegativeOrNotANumberValues() {
        assertThatThrownBy(() -> new SnapshotProgress(-1, 0, 0, false)).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("rowsDone");
        assertThatThrownBy(() -> new SnapshotProgress(0, -1, 0, false)).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("rowsEstimated");
        assertThatThrownBy(() -> new SnapshotProgress(0, 0, Double.NaN, false)).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("rowsPerSecond");
        assertThatThrownBy(() -> new SnapshotProgress(0, 0, -0.5, false)).isInstanceOf(InvalidValueException.class);
    }
}
