package io.echodb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void nearestRankPercentilesOfTheFilledPart() {
        long[] values = new long[200];
        for (int i = 0; i < 100; i++) {
            values[i] = 100 - i; // 100 .. 1, unsorted; the rest of the array is not part of the sample
        }
        Stats s = Stats.of(values, 100);
        assertThat(s.count()).isEqualTo(100);
        assertThat(s.p50()).isEqualTo(50);
        assertThat(s.p95()).isEqualTo(95);
        assertThat(s.p99()).isEqualTo(99);
        assertThat(s.max()).isEqualTo(100);
        assertThat(s.mean()).isEqualTo(50);
    }

    @Test
    void emptySampleIsAllZero() {
        assertThat(Stats.of(new long[0], 0)).isEqualTo(new Stats(0, 0, 0, 0, 0, 0));
    }
}
