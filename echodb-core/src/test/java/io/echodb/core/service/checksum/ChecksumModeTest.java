package io.echodb.core.service.checksum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.ConsistencyReport.DifferenceKind;
import io.echodb.core.model.ConsistencyReport.KeyDifference;
import io.echodb.core.model.ConsistencyReport.Verdict;
import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.service.ConsistencyChecker;
import io.echodb.core.service.ConsistencyChecker.Mode;
import io.echodb.core.testing.ManualClock;
import io.echodb.core.service.TableCheck;
import io.echodb.core.testing.InMemoryMirrorControl;
import io.echodb.core.testing.InMemoryRowChecksums;
import io.echodb.core.testing.InMemoryRowCounter;
import io.echodb.core.testing.InMemorySourceCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ConsistencyChecker} in checksum mode: verdicts, lag-awareness and the report's fields. */
class ChecksumModeTest {

    static final TableRef USERS = ChecksumComparerTest.USERS;
    static final WatchPolicy POLICY = WatchPolicy.fromCommaLists("public", "");

    final ManualClock clock = new ManualClock();
    final InMemorySourceCatalog catalog = new InMemorySourceCatalog();
    final InMemoryMirrorControl mirrors = new InMemoryMirrorControl(clock, catalog);
    final InMemoryRowCounter sourceCounts = new InMemoryRowCounter(clock);
    final InMemoryRowCounter targetCounts = new InMemoryRowCounter(clock);
    final InMemoryRowChecksums source = InMemoryRowChecksums.source();
    final InMemoryRowChecksums target = InMemoryRowChecksums.target();
    final AtomicReference<Lsn> applied = new AtomicReference<>();
    final MirrorName usersMirror;

    ChecksumModeTest() {
        catalog.createTable(ChecksumComparerTest.SCHEMA);
        source.givenTable(ChecksumComparerTest.SCHEMA);
        target.givenTable(ChecksumComparerTest.SCHEMA);
        usersMirror = mirrors.create(POLICY.specFor(USERS)).name();
    }

    @AfterEach
    void clearInterruptFlag() {
        Thread.interrupted();
    }

    ConsistencyChecker checker(ConsistencyChecker.Settings settings) {
        ChecksumComparer comparer = new ChecksumComparer(catalog, source, target,
                table -> Optional.ofNullable(applied.get()), ChecksumSettings.defaults(), clock, clock);
        return ConsistencyChecker.builder(sourceCounts, targetCounts, mirrors, POLICY).clock(clock).sleeper(clock)
                .settings(settings).checksums(comparer).build();
    }

    ConsistencyChecker checker() {
        return checker(ConsistencyChecker.Settings.defaults());
    }

    Lsn mirror(Row row) {
        Lsn at = source.put(USERS, row);
        target.put(USERS, row, at);
        applied.set(source.position());
        return at;
    }

    void givenMirrored(int n) {
        for (long id = 1; id <= n; id++) {
            mirror(ChecksumComparerTest.user(id, "user " + id, "1." + id % 10));
        }
    }

    @Test
    void equalTablesMatchAtOnceInChecksumMode() {
        givenMirrored(500);

        ConsistencyReport report = checker().check(USERS, Mode.CHECKSUM);

        assertThat(report.mode()).isEqualTo("checksum");
        assertThat(report.verdict()).isEqualTo(Verdict.MATCH);
        assertThat(report.postgresCount()).isEqualTo(500);
        assertThat(report.clickhouseCount()).isEqualTo(500);
        assertThat(report.differingKeys()).isEmpty();
        assertThat(report.differences()).isEmpty();
        assertThat(clock.sleeps()).isEmpty();
        assertThat(sourceCounts.calls(USERS)).isZero();
    }

    @Test
    void aDeletedAndAChangedRowInTheTargetAreAMismatchNamingExactlyThoseKeys() {
        givenMirrored(500);
        target.delete(USERS, RowKey.of(17L));
        target.put(USERS, ChecksumComparerTest.user(42, "user 42", "99.99"));

        ConsistencyReport report = checker().check(USERS, Mode.CHECKSUM);

        assertThat(report.verdict()).isEqualTo(Verdict.MISMATCH);
        assertThat(report.differingKeys()).containsExactly("17", "42");
        assertThat(report.differences()).containsExactly(
                new KeyDifference("17", DifferenceKind.MISSING_IN_CLICKHOUSE),
                new KeyDifference("42", DifferenceKind.DIFFERENT));
        assertThat(report.postgresCount()).isEqualTo(500);
        assertThat(report.clickhouseCount()).isEqualTo(499);
        assertThat(report.difference()).isEqualTo(1);
        assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(10));
    }

    @Test
    void changesStillOnTheirWayAreNotAMismatchOnceTheMirrorCatchesUp() {
        givenMirrored(100);
        mirrors.setLag(usersMirror, 4096);
        Row late = ChecksumComparerTest.user(101, "late", "1");
        Lsn at = source.put(USERS, late);
        applied.set(null); // an engine that does not report its position: lag decides
        clock.onSleep(() -> {
            if (clock.slept().compareTo(Duration.ofSeconds(10)) >= 0) {
                target.put(USERS, late, at);
                mirrors.setLag(usersMirror, 0);
            }
        });

        ConsistencyReport report = checker().check(USERS, Mode.CHECKSUM);

        assertThat(report.verdict()).isEqualTo(Verdict.MATCH);
        assertThat(report.postgresCount()).isEqualTo(101);
        assertThat(report.clickhouseCount()).isEqualTo(101);
        assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(10));
    }

    @Test
    void aDifferenceThatOutlastsTheBudgetWhileLaggingIsInFlightWithItsKeysAndTheLag() {
        givenMirrored(100);
        mirrors.setLag(usersMirror, 8192);
        applied.set(null);
        source.put(USERS, ChecksumComparerTest.user(101, "late", "1"));

        ConsistencyReport report = checker().check(USERS, Mode.CHECKSUM);

        assertThat(report.verdict()).isEqualTo(Verdict.IN_FLIGHT);
        assertThat(report.lagBytes()).isEqualTo(8192);
        assertThat(report.differences()).containsExactly(new KeyDifference("101", DifferenceKind.MISSING_IN_CLICKHOUSE));
        assertThat(clock.sleeps()).hasSize(3);
    }

    @Test
    void aMirrorThatNeverAppliesPastTheReadingIsInFlightNotMismatched() {
        givenMirrored(100);
        source.put(USERS, ChecksumComparerTest.user(7, "renamed", "1")); // the applied position stays behind it

        ConsistencyReport report = checker(new ConsistencyChecker.Settings(1, Duration.ofSeconds(1), Duration.ZERO,
                Duration.ofSeconds(1))).check(USERS, Mode.CHECKSUM);

        assertThat(report.verdict()).isEqualTo(Verdict.IN_FLIGHT);
        assertThat(report.differences()).containsExactly(new KeyDifference("7", DifferenceKind.DIFFERENT));
    }

    @Test
    void checkAllComparesEveryOwnedMirrorInTheGivenMode() {
        givenMirrored(50);
        target.delete(USERS, RowKey.of(3L));

        List<TableCheck> checks = checker().checkAll(Mode.CHECKSUM);

        assertThat(checks).hasSize(1);
        ConsistencyReport report = ((TableCheck.Checked) checks.get(0)).report();
        assertThat(report.mode()).isEqualTo("checksum");
        assertThat(report.differingKeys()).containsExactly("3");
    }

    @Test
    void countModeIsUnchangedAndTheDefault() {
        sourceCounts.givenRows(USERS, 5);
        targetCounts.givenRows(USERS, 5);

        ConsistencyReport report = checker().check(USERS);

        assertThat(report.mode()).isEqualTo("count");
        assertThat(report.verdict()).isEqualTo(Verdict.MATCH);
        assertThat(source.reads()).isZero();
    }

    @Test
    void checksumModeWithoutChecksumsConfiguredSaysSo() {
        ConsistencyChecker countOnly = ConsistencyChecker.builder(sourceCounts, targetCounts, mirrors, POLICY)
                .clock(clock).sleeper(clock).build();

        assertThat(countOnly.supportsChecksums()).isFalse();
        assertThatThrownBy(() -> countOnly.check(USERS, Mode.CHECKSUM))
                .isInstanceOf(ChecksumUnavailableException.class).hasMessageContaining("mode=count");
        assertThat(checker().supportsChecksums()).isTrue();
    }

    @Test
    void modesParseFromTheirLabels() {
        assertThat(Mode.parse("checksum")).isEqualTo(Mode.CHECKSUM);
        assertThat(Mode.parse(" COUNT ")).isEqualTo(Mode.COUNT);
        assertThat(Mode.CHECKSUM.label()).isEqualTo("checksum");
        assertThatThrownBy(() -> Mode.parse("rows")).isInstanceOf(InvalidValueException.class).hasMessageContaining("rows");
    }

    @Test
    void reportsCarryTheDifferenceKindsAsLabels() {
        assertThat(DifferenceKind.MISSING_IN_CLICKHOUSE.label()).isEqualTo("missing_in_clickhouse");
        assertThat(DifferenceKind.EXTRA_IN_CLICKHOUSE.label()).isEqualTo("extra_in_clickhouse");
        assertThat(DifferenceKind.DIFFERENT.label()).isEqualTo("different");
        ConsistencyReport r = new ConsistencyReport(USERS, "checksum", 2, 1, Verdict.MISMATCH, 0, null,
                clock.instant(), List.of(new KeyDifference("1", DifferenceKind.MISSING_IN_CLICKHOUSE)));
        assertThat(r.differingKeys()).containsExactly("1");
    }
}
