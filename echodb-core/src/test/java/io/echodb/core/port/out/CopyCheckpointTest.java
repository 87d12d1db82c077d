package io.echodb.core.port.out;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.InvalidValueException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopyCheckpointTest {

    private static final Lsn P = Lsn.parse("1/A0");

    @Test
    void finishedRangesOfOneFileMergeAndTheRestIsWhatRemains() {
        CopyCheckpoint c = CopyCheckpoint.startedAt(P)
                .withFinished(new CopyRange(7, 70, 100, 200))
                .withFinished(new CopyRange(7, 70, 0, 100))
                .withFinished(new CopyRange(7, 70, 300, CopyRange.END))
                .withFinished(new CopyRange(7, 71, 200, 300)) // another file: never merged with the first one's
                .withFinished(new CopyRange(8, 70, 0, 50));

        assertThat(c.finished()).containsExactly(new CopyRange(7, 70, 0, 200), new CopyRange(7, 70, 300, CopyRange.END),
                new CopyRange(7, 71, 200, 300), new CopyRange(8, 70, 0, 50));
        assertThat(CopyCheckpoint.remaining(c.finished(), 7, 70)).containsExactly(new CopyRange(7, 70, 200, 300));
        assertThat(CopyCheckpoint.remaining(c.finished(), 8, 70)).containsExactly(new CopyRange(8, 70, 50, CopyRange.END));
        assertThat(CopyCheckpoint.remaining(c.finished(), 7, 72)).as("a rewritten file: all of it")
                .containsExactly(CopyRange.wholeFile(7, 72));
        assertThat(CopyCheckpoint.remaining(List.of(CopyRange.wholeFile(7, 70)), 7, 70)).isEmpty();
    }

    @Test
    void theTextFormRoundTripsAndBadTextIsRefusedByName() {
        CopyCheckpoint c = CopyCheckpoint.startedAt(P).withFinished(new CopyRange(16_384, 16_390, 0, 1_024))
                .withFinished(new CopyRange(16_384, 16_390, 4_096, CopyRange.END)).markResumed();
        assertThat(CopyCheckpoint.parse(c.encode())).isEqualTo(c);
        assertThat(c.encode()).isEqualTo("v1 1/A0 1 16384/16390:0..1024 16384/16390:4096..end");
        assertThat(CopyCheckpoint.parse(c.completed().encode())).isEqualTo(c.completed());
        assertThatThrownBy(() -> CopyCheckpoint.parse("v2 1/A0 0")).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("v2 1/A0 0");
        assertThatThrownBy(() -> CopyCheckpoint.parse("v1 1/A0 0 7/70:9..3")).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> new CopyRange(0, 1, 0, 1)).isInstanceOf(InvalidValueException.class);
    }
}
