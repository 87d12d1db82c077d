package io.echodb.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.change.Lsn;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CommitLagTest {

    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
    private final CommitLag lag = new CommitLag();

    @Test
    void nothingReceivedIsNoLag() {
        assertThat(lag.behind(T0)).isZero();
    }

    @Test
    void theOldestUnwrittenCommitSetsTheLag() {
        lag.received(Lsn.of(100), T0);
        lag.received(Lsn.of(200), T0.plusSeconds(5));

        assertThat(lag.behind(T0.plusSeconds(8))).isEqualTo(Duration.ofSeconds(8));

        lag.writtenThrough(Lsn.of(100));
        assertThat(lag.behind(T0.plusSeconds(8))).isEqualTo(Duration.ofSeconds(3));

        lag.writtenThrough(Lsn.of(250));
        assertThat(lag.behind(T0.plusSeconds(8))).isZero();
    }

    @Test
    void aQuietHourThenOneFreshTransactionIsNotAnHourOfLag() {
        lag.received(Lsn.of(100), T0);
        lag.writtenThrough(Lsn.of(100));
        lag.received(Lsn.of(200), T0.plusSeconds(3600));

        assertThat(lag.behind(T0.plusSeconds(3601))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void caughtUpClearsEverything() {
        lag.received(Lsn.of(100), T0);
        lag.caughtUp();

        assertThat(lag.behind(T0.plusSeconds(60))).isZero();
    }

    @Test
    void aReplayedTransactionIsNotCountedTwice() {
        lag.received(Lsn.of(100), T0);
        lag.received(Lsn.of(100), T0.plusSeconds(30));

        assertThat(lag.behind(T0.plusSeconds(40))).isEqualTo(Duration.ofSeconds(40));
        lag.writtenThrough(Lsn.of(100));
        assertThat(lag.behind(T0.plusSeconds(40))).isZero();
    }

    @Test
    void pastTheBoundTheLagIsOverstatedNeverUnderstated() {
        for (int i = 1; i <= CommitLag.MAX_TRACKED + 10; i++) {
            lag.received(Lsn.of(i), T0.plusMillis(i));
        }
        // everything up to the bound's last separate entry is written
        lag.writtenThrough(Lsn.of(CommitLag.MAX_TRACKED - 1));

        Instant now = T0.plusSeconds(10);
        Duration oldestUnwritten = Duration.between(T0.plusMillis(CommitLag.MAX_TRACKED), now);
        assertThat(lag.behind(now)).isGreaterThanOrEqualTo(oldestUnwritten);
        lag.writtenThrough(Lsn.of(CommitLag.MAX_TRACKED + 10));
        assertThat(lag.behind(now)).isZero();
    }
}
