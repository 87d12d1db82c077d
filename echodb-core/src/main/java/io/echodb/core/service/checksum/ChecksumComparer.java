package io.echodb.core.service.checksum;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.ConsistencyReport.DifferenceKind;
import io.echodb.core.model.ConsistencyReport.KeyDifference;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.RowChecksums;
import io.echodb.core.model.checksum.BucketDigest;
import io.echodb.core.model.checksum.Digests;
import io.echodb.core.model.checksum.HashRange;
import io.echodb.core.model.checksum.Query;
import io.echodb.core.model.checksum.RowDigest;
import io.echodb.core.model.checksum.RowDigests;
import io.echodb.core.model.checksum.Scope;
import io.echodb.core.port.out.SourceCatalog;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.time.Sleeper;
import io.echodb.core.service.checksum.ChecksumResult.Counts;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the rows that differ between source and target without moving the table: both sides digest their rows per
 * key-hash bucket ({@link RowChecksums#bucketDigests}); buckets whose count or digest differ are split further until
 * they are small enough to fetch row hashes ({@link RowChecksums#rowDigests}), and the rows are compared key by key.
 * Exploring stops once {@link ChecksumSettings#maxKeys()} keys are found.
 *
 * <p>Every target read is made at the source reading's position where the source tells it ({@link Query#asOf}), and when
 * a difference shows up the comparison waits (bounded) until the mirror has applied past that position
 * ({@link AppliedPosition}) and reads the target again: changes still on their way are not reported as differences.
 * One instance serves every table; not thread-confined.
 */
public final class ChecksumComparer {

    private static final Logger LOG = LoggerFactory.getLogger(ChecksumComparer.class);

    private final SourceCatalog catalog;
    private final RowChecksums source;
    private final RowChecksums target;
    private final AppliedPosition applied;
    private final ChecksumSettings settings;
    private final Clock clock;
    private final Sleeper sleeper;

    public ChecksumComparer(SourceCatalog catalog, RowChecksums source, RowChecksums target, AppliedPosition applied,
                            ChecksumSettings settings, Clock clock, Sleeper sleeper) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.source = Objects.requireNonNull(source, "source");
        this.target = Objects.requireNonNull(target, "target");
        this.applied = Objects.requireNonNull(applied, "applied");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    public ChecksumSettings settings() {
        return settings;
    }

    /** Compares the whole table. Throws {@link ChecksumUnavailableException} when it cannot be compared this way. */
    public ChecksumResult compare(TableRef table) {
        Run run = new Run(scopeOf(table));
        run.start(List.of(HashRange.ALL), settings.topBits());
        return run.result(0, 0);
    }

    /**
     * Reads again only the ranges that differed in {@code previous}; the counts are the previous ones, corrected for
     * what changed in those ranges.
     */
    public ChecksumResult recheck(ChecksumResult previous) {
        if (!previous.differs()) {
            return previous;
        }
        Run run = new Run(previous.scope());
        run.start(new ArrayList<>(previous.suspects().keySet()), 0);
        Counts before = previous.suspects().values().stream().reduce(new Counts(0, 0), Counts::plus);
        return run.result(previous.sourceRows() - before.source(), previous.targetRows() - before.target());
    }

    /** The table's columns both sides can compare; every key column must be among them. */
    Scope scopeOf(TableRef table) {
        TableSchema schema = catalog.describe(table).orElseThrow(() -> ChecksumUnavailableException.noSuchTable(table));
        if (schema.keyColumns().isEmpty()) {
            throw ChecksumUnavailableException.noKey(table);
        }
        Set<String> both = new LinkedHashSet<>(source.comparableColumns(schema));
        both.retainAll(new HashSet<>(target.comparableColumns(schema)));
        for (String key : schema.keyColumns()) {
            if (!both.contains(key)) {
                throw ChecksumUnavailableException.keyNotComparable(table, key);
            }
        }
        if (both.size() < schema.columns().size()) {
            List<String> skipped = new ArrayList<>(schema.columnNames());
            skipped.removeAll(both);
            LOG.info("checksum of {} leaves out columns {}: not stored comparably on both sides", table, skipped);
        }
        return new Scope(schema, new ArrayList<>(both));
    }

    /** Whether the mirror has applied past a position. */
    private enum Applied { REACHED, NOT_YET, UNKNOWN }

    /** The state of one reading. */
    private final class Run {
        private final Scope scope;
        private final TableRef table;
        private long sourceRows;
        private long targetRows;
        private final Map<String, KeyDifference> differences = new HashMap<>();
        private final TreeMap<HashRange, Counts> suspects = new TreeMap<>();
        private boolean moreDifferences;
        private boolean missedCommonPoint;
        private boolean asStored;

        Run(Scope scope) {
            this.scope = scope;
            this.table = scope.schema().table();
        }

        /** Digests {@code roots} {@code childBits} deep, counts their rows, then explores the differing buckets. */
        void start(List<HashRange> roots, int childBits) {
            TreeMap<HashRange, Counts> frontier = new TreeMap<>();
            for (List<HashRange> sameDepth : byDepth(roots)) {
                Pair<Map<HashRange, BucketDigest>> digests = digests(sameDepth, childBits);
                for (BucketDigest d : digests.source().values()) {
                    sourceRows += d.rows();
                }
                for (BucketDigest d : digests.target().values()) {
                    targetRows += d.rows();
                }
                frontier.putAll(differing(digests));
            }
            explore(frontier);
        }

        ChecksumResult result(long sourceBase, long targetBase) {
            List<KeyDifference> found = new ArrayList<>(differences.values());
            found.sort(Comparator.comparing(KeyDifference::key));
            return new ChecksumResult(scope, Math.max(0, sourceBase + sourceRows), Math.max(0, targetBase + targetRows),
                    found, suspects, moreDifferences, missedCommonPoint);
        }

        private void explore(TreeMap<HashRange, Counts> frontier) {
            // Ranges may turn out equal row by row (changes in flight): bound the ranges fetched per reading, so a busy
            // table costs a few scans at most; what is left is read again by the next reading.
            int fetchable = 4 * settings.maxKeys();
            while (!frontier.isEmpty()) {
                int budget = Math.min(settings.maxKeys() - differences.size(), fetchable);
                if (budget <= 0) {
                    suspects.putAll(frontier);
                    moreDifferences = true;
                    return;
                }
                Map<HashRange, Counts> leaves = new TreeMap<>();
                List<HashRange> deep = new ArrayList<>();
                for (int i = 0; i < budget && !frontier.isEmpty(); i++) {
                    Map.Entry<HashRange, Counts> e = frontier.pollFirstEntry();
                    boolean small = e.getValue().larger() <= settings.maxRowsPerFetch();
                    if (small || e.getKey().bits() >= ChecksumSettings.maxDepth()) {
                        leaves.put(e.getKey(), e.getValue());
                    } else {
                        deep.add(e.getKey());
                    }
                }
                if (!leaves.isEmpty()) {
                    fetchable -= leaves.size();
                    deep.addAll(compareRows(leaves));
                }
                for (List<HashRange> sameDepth : byDepth(deep)) {
                    int bits = Math.min(settings.splitBits(), ChecksumSettings.maxDepth() - sameDepth.get(0).bits());
                    frontier.putAll(differing(digests(sameDepth, bits)));
                }
            }
        }

        /** Fetches and compares the rows of small ranges; returns the ranges that turned out too big to fetch. */
        private List<HashRange> compareRows(Map<HashRange, Counts> leaves) {
            long expected = leaves.values().stream().mapToLong(Counts::larger).sum();
            int limit = (int) Math.min(Integer.MAX_VALUE - 1, expected + Math.max(100, expected / 10));
            List<HashRange> ranges = new ArrayList<>(leaves.keySet());
            Pair<RowDigests> rows = rowDigests(ranges, limit + 1);
            Set<String> unsettled = rows.target().unsettled();
            if (rows.source().rows().size() > limit || rows.target().rows().size() + unsettled.size() > limit) {
                // the ranges grew since they were counted: split them instead (unless they cannot be split)
                List<HashRange> splittable = ranges.stream().filter(r -> r.bits() < ChecksumSettings.maxDepth()).toList();
                if (!splittable.isEmpty()) {
                    return splittable;
                }
            }
            Map<String, RowDigest> sourceByKey = byKey(rows.source().rows());
            Map<String, RowDigest> targetByKey = byKey(rows.target().rows());
            Map<HashRange, List<KeyDifference>> found = new TreeMap<>();
            Set<HashRange> undecided = new TreeSet<>();
            Set<String> keys = new TreeSet<>(sourceByKey.keySet());
            keys.addAll(targetByKey.keySet());
            for (String key : keys) {
                RowDigest s = sourceByKey.get(key);
                RowDigest t = targetByKey.get(key);
                HashRange leaf = leafOf(ranges, s != null ? s.keyHash() : t.keyHash());
                if (leaf == null) {
                    continue; // a side returned a row outside the ranges; it is not ours to judge
                }
                if (unsettled.contains(key)) {
                    undecided.add(leaf); // changed in the target after the source was read: judged by a later reading
                    continue;
                }
                DifferenceKind kind = s == null ? DifferenceKind.EXTRA_IN_CLICKHOUSE
                        : t == null ? DifferenceKind.MISSING_IN_CLICKHOUSE
                        : s.rowHash() != t.rowHash() ? DifferenceKind.DIFFERENT : null;
                if (kind != null) {
                    found.computeIfAbsent(leaf, r -> new ArrayList<>()).add(new KeyDifference(key, kind));
                }
            }
            // a suspect keeps the counts its bucket reading gave: the same kind of reading the totals come from
            for (HashRange leaf : undecided) {
                suspects.put(leaf, leaves.get(leaf));
                missedCommonPoint = true;
            }
            for (Map.Entry<HashRange, List<KeyDifference>> e : found.entrySet()) {
                suspects.put(e.getKey(), leaves.get(e.getKey()));
                for (KeyDifference d : e.getValue()) {
                    if (differences.size() >= settings.maxKeys()) {
                        moreDifferences = true;
                        break;
                    }
                    differences.putIfAbsent(d.key(), d);
                }
            }
            return List.of();
        }

        private Pair<Map<HashRange, BucketDigest>> digests(List<HashRange> ranges, int childBits) {
            Query query = Query.of(scope, ranges);
            Digests s = source.bucketDigests(query, childBits);
            return atCommonPoint(s.position(), index(s.buckets(), BucketDigest::bucket), Map::equals, asOf -> {
                Digests t = target.bucketDigests(asOf.map(query::asOf).orElse(query), childBits);
                return new TargetReading<>(index(t.buckets(), BucketDigest::bucket), t.newest());
            });
        }

        private Pair<RowDigests> rowDigests(List<HashRange> ranges, int limit) {
            Query query = Query.of(scope, ranges);
            RowDigests s = source.rowDigests(query, limit);
            return atCommonPoint(s.position(), s, ChecksumComparer::sameRows, asOf -> new TargetReading<>(
                    target.rowDigests(asOf.map(query::asOf).orElse(query), limit), Optional.empty()));
        }

        /**
         * Reads the target as of the source reading's position. When it differs, waits until the mirror has applied
         * past that position and reads it again (remembering when the wait ran out). When the target holds versions
         * newer than the source's current position — which replication cannot have written — it is read as it is
         * instead, so such rows are not hidden.
         */
        private <T> Pair<T> atCommonPoint(Optional<Lsn> position, T sourceValue, BiPredicate<T, T> same,
                                          Function<Optional<Lsn>, TargetReading<T>> readTarget) {
            if (position.isEmpty()) {
                return new Pair<>(sourceValue, readTarget.apply(Optional.empty()).value());
            }
            Lsn at = position.get();
            Optional<Lsn> asOf = asStored ? Optional.empty() : position;
            Applied before = appliedNow(at);
            TargetReading<T> t = readTarget.apply(asOf);
            // one wait per reading at most: once the mirror failed to get there in time, waiting again is pointless
            if (!same.test(sourceValue, t.value()) && before == Applied.NOT_YET && !missedCommonPoint) {
                if (awaitApplied(at)) {
                    t = readTarget.apply(asOf);
                } else {
                    missedCommonPoint = true;
                }
            }
            if (!asStored && fromTheFuture(t.newest(), at)) {
                asStored = true; // for the rest of this reading: such rows must not hide behind asOf
                t = readTarget.apply(Optional.empty());
            }
            return new Pair<>(sourceValue, t.value());
        }

        private boolean fromTheFuture(Optional<Lsn> newest, Lsn readingPosition) {
            if (newest.isEmpty() || newest.get().compareTo(readingPosition) < 0) {
                return false;
            }
            Optional<Lsn> now = source.currentPosition();
            boolean future = now.isPresent() && newest.get().compareTo(now.get()) >= 0;
            if (future) {
                LOG.warn("target of {} holds row versions at {}, beyond the source's current position {}: compared as"
                        + " stored", table, newest.get(), now.get());
            }
            return future;
        }

        private Applied appliedNow(Lsn position) {
            Optional<Lsn> a = applied.applied(table);
            if (a.isEmpty()) {
                return Applied.UNKNOWN;
            }
            return a.get().compareTo(position) >= 0 ? Applied.REACHED : Applied.NOT_YET;
        }

        /** Waits (bounded) until the mirror has written everything before {@code position}. */
        private boolean awaitApplied(Lsn position) {
            Instant deadline = clock.instant().plus(settings.commonPointTimeout());
            while (clock.instant().isBefore(deadline)) {
                try {
                    sleeper.sleep(settings.commonPointPoll());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                if (appliedNow(position) == Applied.REACHED) {
                    return true;
                }
            }
            LOG.debug("mirror of {} did not apply past {} within {}", table, position, settings.commonPointTimeout());
            return false;
        }
    }

    /** Buckets present on either side whose rows or digest differ, with both sides' counts. */
    private static Map<HashRange, Counts> differing(Pair<Map<HashRange, BucketDigest>> digests) {
        Map<HashRange, Counts> out = new TreeMap<>();
        Set<HashRange> all = new HashSet<>(digests.source().keySet());
        all.addAll(digests.target().keySet());
        for (HashRange r : all) {
            BucketDigest s = digests.source().get(r);
            BucketDigest t = digests.target().get(r);
            if (s == null || t == null || s.rows() != t.rows() || s.digest() != t.digest()) {
                out.put(r, new Counts(s == null ? 0 : s.rows(), t == null ? 0 : t.rows()));
            }
        }
        return out;
    }

    private static List<List<HashRange>> byDepth(List<HashRange> ranges) {
        Map<Integer, List<HashRange>> groups = new TreeMap<>();
        for (HashRange r : ranges) {
            groups.computeIfAbsent(r.bits(), b -> new ArrayList<>()).add(r);
        }
        return new ArrayList<>(groups.values());
    }

    /** The target shows the source's rows, apart from rows it cannot place at the source's position. */
    private static boolean sameRows(RowDigests source, RowDigests target) {
        Map<String, RowDigest> expected = byKey(source.rows());
        expected.keySet().removeAll(target.unsettled());
        return expected.equals(byKey(target.rows()));
    }

    private static HashRange leafOf(List<HashRange> ranges, long keyHash) {
        for (HashRange r : ranges) {
            if (r.contains(keyHash)) {
                return r;
            }
        }
        return null;
    }

    private static Map<String, RowDigest> byKey(List<RowDigest> rows) {
        Map<String, RowDigest> out = new HashMap<>(rows.size() * 2);
        for (RowDigest r : rows) {
            out.put(r.key(), r);
        }
        return out;
    }

    private static <K, V> Map<K, V> index(List<V> values, Function<V, K> key) {
        Map<K, V> out = new HashMap<>(values.size() * 2);
        for (V v : values) {
            out.put(key.apply(v), v);
        }
        return out;
    }

    private record Pair<T>(T source, T target) { }

    private record TargetReading<T>(T value, Optional<Lsn> newest) { }
}
