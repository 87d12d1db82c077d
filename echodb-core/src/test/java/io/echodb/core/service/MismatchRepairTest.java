package io.echodb.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.testing.InMemoryMirrorControl;
import io.echodb.core.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MismatchRepairTest {

    private final ManualClock clock = new ManualClock();
    private final InMemoryMirrorControl mirrors = new InMemoryMirrorControl(clock);
    private final TableRef orders = TableRef.of("public", "orders");
    private final MirrorName name = MirrorName.forTable(orders, false);

    private MismatchRepair repair(int perDay) {
        mirrors.create(new MirrorSpec(name, orders, "orders"));
        mirrors.clearOperations();
        return new MismatchRepair(mirrors, clock, new MismatchRepair.Settings(perDay));
    }

    private ConsistencyReport report(ConsistencyReport.Verdict verdict) {
        return new ConsistencyReport(orders, "count", 347, 0, verdict, 0, List.of(), clock.instant(), List.of());
    }

    @Test
    void aDefiniteMismatchOfARunningMirrorResyncsIt() {
        MismatchRepair repair = repair(3);

        assertThat(repair.onReport(report(ConsistencyReport.Verdict.MISMATCH))).isEqualTo(new MismatchRepair.Outcome.Resynced(name));
        assertThat(mirrors.operations()).containsExactly("resync " + name);
    }

    @Test
    void matchesUndecidedChecksAndStoppedMirrorsAreLeftAlone() {
        MismatchRepair repair = repair(3);
        assertThat(repair.onReport(report(ConsistencyReport.Verdict.MATCH))).isInstanceOf(MismatchRepair.Outcome.NotNeeded.class);
        assertThat(repair.onReport(report(ConsistencyReport.Verdict.IN_FLIGHT))).isInstanceOf(MismatchRepair.Outcome.NotNeeded.class);
        mirrors.setState(name, MirrorState.PAUSED);
        assertThat(repair.onReport(report(ConsistencyReport.Verdict.MISMATCH))).isInstanceOf(MismatchRepair.Outcome.NotNeeded.class);
        assertThat(mirrors.operations()).isEmpty();
    }

    @Test
    void resyncsAreLimitedPerDaySoAnIrreparableDifferenceIsNotCopiedInALoop() {
        MismatchRepair repair = repair(2);
        repair.onReport(report(ConsistencyReport.Verdict.MISMATCH));
        clock.advance(Duration.ofHours(1));
        repair.onReport(report(ConsistencyReport.Verdict.MISMATCH));
        clock.advance(Duration.ofHours(1));

        assertThat(repair.onReport(report(ConsistencyReport.Verdict.MISMATCH)))
                .isEqualTo(new MismatchRepair.Outcome.Withheld(name, "already resynced 2 time(s) in the last 24 hours"));
        assertThat(mirrors.operations()).containsExactly("resync " + name, "resync " + name);

        clock.advance(Duration.ofHours(23)); // the first resync is more than a day old
        assertThat(repair.onReport(report(ConsistencyReport.Verdict.MISMATCH))).isEqualTo(new MismatchRepair.Outcome.Resynced(name));
    }

    @Test
    void zeroTurnsRepairsOffAndBadSettingsAreRefused() {
        MismatchRepair repair = repair(0);
        assertThat(repair.onReport(report(ConsistencyReport.Verdict.MISMATCH))).isInstanceOf(MismatchRepair.Outcome.Withheld.class);
        assertThat(mirrors.operations()).isEmpty();
        assertThatThrownBy(() -> new MismatchRepair.Settings(-1)).hasMessageContaining("-1");
    }
}
