package io.echodb.core.service.checksum;

import io.echodb.core.model.checksum.RowDigests;
import io.echodb.core.model.checksum.Query;
import io.echodb.core.model.checksum.Digests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.ConsistencyReport.DifferenceKind;
import io.echodb.core.model.ConsistencyReport.KeyDifference;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.RowChecksums;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.testing.ManualClock;
import io.echodb.core.testing.InMemoryRowChecksums;
import io.echodb.core.testing.InMemorySourceCatalog;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ChecksumComparerTest {

    static final TableRef USERS = TableRef.of("public", "users");
    static final TableSchema SCHEMA = new TableSchema(USERS, List.of(
            Column.of("id", ColumnType.INT64, false),
            Column.of("name", ColumnType.TEXT, true),
            Column.of("score", new ColumnType.Decimal(10, 2), true)), List.of("id"), ReplicaIdentity.DEFAULT);

    final ManualClock clock = new ManualClock();
    final InMemorySourceCatalog catalog = new InMemorySourceCatalog();
    final InMemoryRowChecksums source = InMemoryRowChecksums.source();
    final InMemoryRowChecksums target = InMemoryRowChecksums.target();
    /** The mirror's applied position; null = the engine does not tell. */
    final AtomicReference<Lsn> applied = new AtomicReference<>();

    ChecksumComparerTest() {
        catalog.createTable(SCHEMA);
        source.givenTable(SCHEMA);
        target.givenTable(SCHEMA);
    }

    ChecksumComparer comparer(ChecksumSettings settings) {
        return comparer(settings, source, target);
    }

    ChecksumComparer comparer(ChecksumSettings settings, RowChecksums src, RowChecksums tgt) {
        AppliedPosition position = table -> Optional.ofNullable(applied.get());
        return new ChecksumComparer(catalog, src, tgt, position, settings, clock, clock);
    }

    ChecksumComparer comparer() {
        return comparer(ChecksumSettings.defaults());
    }

    static Row user(long id, String name, String score) {
        return Row.of(id, name, score == null ? null : new BigDecimal(score));
    }

    /** Writes rows 1..n to the source and mirrors them to the target with the source's positions. */
    void givenMirrored(int n) {
        for (long id = 1; id <= n; id++) {
            mirror(user(id, "user " + id, id + ".50"));
        }
        applied.set(source.position());
    }

    Lsn mirror(Row row) {
        Lsn at = source.put(USERS, row);
        target.put(USERS, row, at);
        return at;
    }

    @Test
    void equalTablesHaveNoDifferences() {
        givenMirrored(1000);

        ChecksumResult result = comparer().compare(USERS);

        assertThat(result.differs()).isFalse();
        assertThat(result.differences()).isEmpty();
        assertThat(result.sourceRows()).isEqualTo(1000);
        assertThat(result.targetRows()).isEqualTo(1000);
        assertThat(result.missedCommonPoint()).isFalse();
        assertThat(clock.sleeps()).isEmpty();
    }

    @Test
    void findsExactlyTheMissingExtraAndChangedRows() {
        givenMirrored(1000);
        target.delete(USERS, RowKey.of(17L));
        target.put(USERS, user(42, "user 42", "42.51"));
        target.put(USERS, user(5000, "ghost", null));
        applied.set(Lsn.of(Long.MAX_VALUE));

        ChecksumResult result = comparer().compare(USERS);

        assertThat(result.differences()).containsExactly(
                new KeyDifference("17", DifferenceKind.MISSING_IN_CLICKHOUSE),
                new KeyDifference("42", DifferenceKind.DIFFERENT),
                new KeyDifference("5000", DifferenceKind.EXTRA_IN_CLICKHOUSE));
        assertThat(result.sourceRows()).isEqualTo(1000);
        assertThat(result.targetRows()).isEqualTo(1000);
        assertThat(result.moreDifferences()).isFalse();
        assertThat(result.suspects()).isNotEmpty().hasSizeLessThanOrEqualTo(3);
    }

    @Test
    void aNullAndAnEmptyStringAreDifferent() {
        Lsn at = source.put(USERS, user(1, null, "1"));
        target.put(USERS, user(1, "", "1"), at);

        ChecksumResult result = comparer().compare(USERS);

        assertThat(result.differences()).containsExactly(new KeyDifference("1", DifferenceKind.DIFFERENT));
    }

    @Test
    void reportsAtMostMaxKeysAndSaysThereAreMore() {
        for (long id = 1; id <= 500; id++) {
            source.put(USERS, user(id, "u", "1"));
        }

        ChecksumResult result = comparer(ChecksumSettings.defaults().withMaxKeys(10)).compare(USERS);

        assertThat(result.differences()).hasSize(10)
                .allMatch(d -> d.kind() == DifferenceKind.MISSING_IN_CLICKHOUSE);
        assertThat(result.moreDifferences()).isTrue();
        assertThat(result.sourceRows()).isEqualTo(500);
        assertThat(result.targetRows()).isZero();
    }

    @Test
    void rangesThatTurnOutEqualRowByRowAreFetchedOnlyUpToABoundPerReading() {
        for (long id = 1; id <= 300; id++) {
            source.put(USERS, user(id, "u", "1")); // the mirror applies them only after the bucket reading
        }
        applied.set(null);
        AtomicInteger reads = new AtomicInteger();
        target.beforeEachRead(() -> {
            if (reads.incrementAndGet() == 2) {
                for (Row r : source.rows(USERS)) {
                    target.put(USERS, r, Lsn.of(1));
                }
            }
        });

        ChecksumResult result = comparer(ChecksumSettings.defaults().withMaxKeys(10)).compare(USERS);

        assertThat(result.differences()).isEmpty();
        assertThat(result.differs()).as("ranges left for the next reading").isTrue();
        assertThat(result.moreDifferences()).isTrue();
        assertThat(reads.get()).isEqualTo(1 + 4); // one bucket reading, then 4 row readings of 10 ranges each
    }

    @Test
    void bigBucketsAreSplitUntilTheirRowsCanBeFetched() {
        givenMirrored(3000);
        target.put(USERS, user(1234, "changed", "1"));
        applied.set(Lsn.of(Long.MAX_VALUE));
        Recording src = new Recording(source);
        Recording tgt = new Recording(target);

        ChecksumResult result = comparer(ChecksumSettings.defaults().withSplitting(0, 2, 50), src, tgt).compare(USERS);

        assertThat(result.differences()).containsExactly(new KeyDifference("1234", DifferenceKind.DIFFERENT));
        assertThat(src.largestRowReading.get()).isPositive().isLessThanOrEqualTo(150);
        assertThat(tgt.largestRowReading.get()).isLessThanOrEqualTo(150);
        assertThat(src.bucketReadings.get()).isGreaterThanOrEqualTo(4); // 3000 rows / 4 per split / ... until <= 50
    }

    @Test
    void theTargetIsReadAsOfTheSourcesPositionSoLaterChangesDoNotCount() {
        givenMirrored(100);
        // while the comparison runs, the source changes a row and the mirror applies it at once
        AtomicInteger reads = new AtomicInteger();
        target.beforeEachRead(() -> {
            if (reads.incrementAndGet() == 1) {
                mirror(user(7, "renamed", "7.50"));
                applied.set(source.position());
            }
        });

        ChecksumResult result = comparer().compare(USERS);

        assertThat(result.differs()).isFalse();
    }

    @Test
    void rowsTheTargetChangedAfterTheReadingWithTheirOldVersionsMergedAwayAreLeftToTheNextReading() {
        Lsn deletedAt = null;
        for (long id = 1; id <= 100; id++) {
            Lsn at = mirror(user(id, "user " + id, id + ".50"));
            deletedAt = id == 50 ? at : deletedAt;
        }
        target.delete(USERS, RowKey.of(50L), deletedAt); // lost in the target long ago
        applied.set(source.position());
        AtomicInteger reads = new AtomicInteger();
        target.beforeEachRead(() -> {
            if (reads.incrementAndGet() == 2) { // between the source's and the target's row readings
                mirror(user(7, "renamed", "7.50"));
                applied.set(source.position());
                target.mergeVersions(USERS);
            }
        });
        ChecksumComparer comparer = comparer(ChecksumSettings.defaults().withSplitting(0, 2, 1000));

        ChecksumResult first = comparer.compare(USERS);

        assertThat(first.differences()).containsExactly(new KeyDifference("50", DifferenceKind.MISSING_IN_CLICKHOUSE));
        assertThat(first.missedCommonPoint()).isTrue();

        target.put(USERS, user(50, "user 50", "50.50"), deletedAt);
        ChecksumResult second = comparer.recheck(first);

        assertThat(second.differs()).isFalse();
        assertThat(second.missedCommonPoint()).isFalse();
        assertThat(second.sourceRows()).isEqualTo(100);
        assertThat(second.targetRows()).isEqualTo(100);
    }

    @Test
    void aDifferenceWaitsUntilTheMirrorHasAppliedPastTheSourcePosition() {
        givenMirrored(100);
        Row renamed = user(7, "renamed", "7.50");
        Lsn change = source.put(USERS, renamed); // not applied yet
        clock.onSleep(() -> {
            if (clock.slept().compareTo(Duration.ofSeconds(1)) >= 0 && applied.get().compareTo(change) <= 0) {
                target.put(USERS, renamed, change);
                applied.set(source.position());
            }
        });

        ChecksumResult result = comparer().compare(USERS);

        assertThat(result.differs()).isFalse();
        assertThat(result.missedCommonPoint()).isFalse();
        assertThat(clock.slept()).isEqualTo(Duration.ofSeconds(1));
        assertThat(clock.sleeps()).allMatch(d -> d.equals(Duration.ofMillis(200)));
    }

    @Test
    void aMirrorThatDoesNotCatchUpInTimeLeavesTheDifferenceUnconfirmed() {
        givenMirrored(100);
        source.put(USERS, user(7, "renamed", "7.50")); // never applied

        ChecksumResult result = comparer().compare(USERS);

        assertThat(result.differences()).containsExactly(new KeyDifference("7", DifferenceKind.DIFFERENT));
        assertThat(result.missedCommonPoint()).isTrue();
        // waited once (the bucket reading), not again for the row reading
        ChecksumSettings d = ChecksumSettings.defaults();
        assertThat(clock.slept()).isBetween(d.commonPointTimeout(), d.commonPointTimeout().plus(d.commonPointPoll()));
    }

    @Test
    void withoutAnAppliedPositionTheReadingIsComparedAtOnce() {
        givenMirrored(100);
        applied.set(null);
        source.put(USERS, user(7, "renamed", "7.50"));

        ChecksumResult result = comparer().compare(USERS);

        assertThat(result.differences()).containsExactly(new KeyDifference("7", DifferenceKind.DIFFERENT));
        assertThat(result.missedCommonPoint()).isFalse();
        assertThat(clock.sleeps()).isEmpty();
    }

    @Test
    void aRecheckReadsOnlyTheDifferingRangesAndCorrectsTheCounts() {
        givenMirrored(1000);
        applied.set(null);
        Row late = user(1001, "late", "1");
        Lsn at = source.put(USERS, late);
        ChecksumComparer comparer = comparer();
        ChecksumResult first = comparer.compare(USERS);
        assertThat(first.differences()).containsExactly(new KeyDifference("1001", DifferenceKind.MISSING_IN_CLICKHOUSE));
        assertThat(first.targetRows()).isEqualTo(1000);

        target.put(USERS, late, at);
        int readsBefore = target.reads();
        ChecksumResult second = comparer.recheck(first);

        assertThat(second.differs()).isFalse();
        assertThat(second.sourceRows()).isEqualTo(1001);
        assertThat(second.targetRows()).isEqualTo(1001);
        assertThat(target.reads() - readsBefore).isEqualTo(1);
    }

    @Test
    void aRecheckStillFindsWhatStillDiffers() {
        givenMirrored(300);
        target.delete(USERS, RowKey.of(3L));
        applied.set(Lsn.of(Long.MAX_VALUE));
        ChecksumComparer comparer = comparer();

        ChecksumResult second = comparer.recheck(comparer.compare(USERS));

        assertThat(second.differences()).containsExactly(new KeyDifference("3", DifferenceKind.MISSING_IN_CLICKHOUSE));
        assertThat(second.sourceRows()).isEqualTo(300);
        assertThat(second.targetRows()).isEqualTo(299);
    }

    @Test
    void columnsOneSideCannotCompareAreLeftOut() {
        givenMirrored(10);
        target.put(USERS, user(3, "user 3", "999"));
        target.notComparable("score");
        applied.set(Lsn.of(Long.MAX_VALUE));

        ChecksumResult result = comparer().compare(USERS);

        assertThat(result.scope().columns()).containsExactly("id", "name");
        assertThat(result.differs()).isFalse();
    }

    @Test
    void tablesThatCannotBeComparedAreRefusedWithAReason() {
        target.notComparable("id");
        assertThatThrownBy(() -> comparer().compare(USERS))
                .isInstanceOf(ChecksumUnavailableException.class).hasMessageContaining("key column 'id'");

        assertThatThrownBy(() -> comparer().compare(TableRef.of("public", "nope")))
                .isInstanceOf(ChecksumUnavailableException.class).hasMessageContaining("does not exist");

        TableRef keyless = TableRef.of("public", "keyless");
        catalog.createTable(keyless, false);
        assertThatThrownBy(() -> comparer().compare(keyless))
                .isInstanceOf(ChecksumUnavailableException.class).hasMessageContaining("no primary key");
    }

    /** Counts readings and remembers the largest row reading. */
    static final class Recording implements RowChecksums {
        final RowChecksums inner;
        final AtomicInteger bucketReadings = new AtomicInteger();
        final AtomicLong largestRowReading = new AtomicLong();

        Recording(RowChecksums inner) {
            this.inner = inner;
        }

        @Override
        public List<String> comparableColumns(TableSchema schema) {
            return inner.comparableColumns(schema);
        }

        @Override
        public Digests bucketDigests(Query query, int childBits) {
            bucketReadings.incrementAndGet();
            return inner.bucketDigests(query, childBits);
        }

        @Override
        public Optional<Lsn> currentPosition() {
            return inner.currentPosition();
        }

        @Override
        public RowDigests rowDigests(Query query, int limit) {
            RowDigests r = inner.rowDigests(query, limit);
            largestRowReading.accumulateAndGet(r.rows().size(), Math::max);
            return r;
        }
    }
}
