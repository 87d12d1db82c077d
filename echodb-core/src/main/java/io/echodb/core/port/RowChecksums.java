package io.echodb.core.port;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.InvalidValueException;
import io.echodb.core.schema.TableSchema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Outbound query: digests of a table's rows in the canonical form of docs/CONSISTENCY.md, computed on one side (source
 * or target) where the data lives; blocking; never returns null; throws when the table is missing.
 *
 * <p>Rows are placed by their key hash: the first 60 bits of md5(canonical key text). A {@link HashRange} is a prefix
 * of that hash, so both sides group and filter rows identically without exchanging them.
 */
public interface RowChecksums {

    /** Bits of a key hash: the first 15 hex digits of md5, a non-negative long on every side. */
    int KEY_HASH_BITS = 60;

    /**
     * The columns of {@code schema} whose stored values this side can render canonically, in schema order (a target
     * may lack a column the source just added, or store it in a form that cannot be compared).
     */
    List<String> comparableColumns(TableSchema schema);

    /**
     * Row count and digest (sum of row hashes modulo 2^64) of every non-empty bucket {@code childBits} hash bits below
     * the query's ranges; every range of the query must have the same depth.
     */
    Digests bucketDigests(Query query, int childBits);

    /** Canonical key text, key hash and row hash of the rows in the query's ranges: at most {@code limit}, in no order. */
    RowDigests rowDigests(Query query, int limit);

    /** The source side's position now (PostgreSQL: the WAL insert position); empty for a target. */
    Optional<Lsn> currentPosition();

    /**
     * What to compare: the source schema (neutral types, key) and the columns to hash, which include every key column;
     * kept in schema order, the order of the canonical row text.
     */
    record Scope(TableSchema schema, List<String> columns) {
        public Scope {
            Objects.requireNonNull(schema, "schema");
            Set<String> wanted = new HashSet<>();
            for (String c : columns) {
                if (schema.indexOf(c) < 0 || !wanted.add(c)) {
                    throw InvalidValueException.of("checksum column", c, "must be a column of " + schema.table() + ", listed once");
                }
            }
            if (schema.keyColumns().isEmpty()) {
                throw InvalidValueException.of("checksum key of " + schema.table(), "[]", "must not be empty");
            }
            for (String k : schema.keyColumns()) {
                if (!wanted.contains(k)) {
                    throw InvalidValueException.of("checksum columns", columns, "must include key column " + k);
                }
            }
            List<String> ordered = new ArrayList<>(wanted.size());
            for (String c : schema.columnNames()) {
                if (wanted.contains(c)) {
                    ordered.add(c);
                }
            }
            columns = List.copyOf(ordered);
        }

        /** Every column of the schema. */
        public static Scope allColumns(TableSchema schema) {
            return new Scope(schema, schema.columnNames());
        }
    }

    /**
     * The key hashes whose top {@code bits} bits equal {@code prefix}: {@code [first(), last()]}. {@link #ALL} is the
     * whole table; a range's children split it by further bits.
     */
    record HashRange(int bits, long prefix) implements Comparable<HashRange> {

        public static final HashRange ALL = new HashRange(0, 0);

        public HashRange {
            if (bits < 0 || bits > KEY_HASH_BITS) {
                throw InvalidValueException.of("hash range bits", bits, "must be 0.." + KEY_HASH_BITS);
            }
            if (prefix < 0 || (bits < 63 && prefix >= (1L << bits))) {
                throw InvalidValueException.of("hash range prefix", prefix, "must be 0..2^" + bits + "-1");
            }
        }

        /** The smallest key hash in the range. */
        public long first() {
            return prefix << (KEY_HASH_BITS - bits);
        }

        /** The largest key hash in the range. */
        public long last() {
            return first() + ((1L << (KEY_HASH_BITS - bits)) - 1);
        }

        public boolean contains(long keyHash) {
            return keyHash >= first() && keyHash <= last();
        }

        /** The child range {@code childBits} below this one that holds {@code keyHash}. */
        public HashRange childOf(long keyHash, int childBits) {
            int depth = bits + childBits;
            return new HashRange(depth, keyHash >>> (KEY_HASH_BITS - depth));
        }

        /** True when {@code other} lies within this range (or is it). */
        public boolean encloses(HashRange other) {
            return other.bits >= bits && contains(other.first());
        }

        @Override
        public int compareTo(HashRange o) {
            return Long.compare(first(), o.first()) != 0 ? Long.compare(first(), o.first()) : Integer.compare(bits, o.bits);
        }

        @Override
        public String toString() {
            return bits == 0 ? "all" : Long.toHexString(first()) + "/" + bits;
        }
    }

    /**
     * One request: {@code ranges} of {@code scope}'s table, read as of the source position {@code asOf} where the side
     * can (a target keeping row versions ignores changes from that position on); sides that cannot go back ignore it.
     */
    record Query(Scope scope, List<HashRange> ranges, Optional<Lsn> asOf) {
        public Query {
            Objects.requireNonNull(scope, "scope");
            ranges = List.copyOf(ranges);
            Objects.requireNonNull(asOf, "asOf");
            if (ranges.isEmpty()) {
                throw InvalidValueException.of("checksum ranges", "[]", "must not be empty");
            }
        }

        public static Query of(Scope scope, List<HashRange> ranges) {
            return new Query(scope, ranges, Optional.empty());
        }

        public Query asOf(Lsn position) {
            return new Query(scope, ranges, Optional.of(position));
        }

        /** True when {@code keyHash} lies in one of the ranges. */
        public boolean covers(long keyHash) {
            for (HashRange r : ranges) {
                if (r.contains(keyHash)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Rows and digest of one bucket. */
    record BucketDigest(HashRange bucket, long rows, long digest) {
        public BucketDigest {
            Objects.requireNonNull(bucket, "bucket");
            if (rows < 0) {
                throw InvalidValueException.of("bucket rows", rows, "must be >= 0");
            }
        }
    }

    /**
     * Buckets of a reading. {@code position}: the source position the reading reflects when the side knows it (the
     * source: the WAL position of its snapshot; a target: the {@code asOf} it honoured). {@code newest}: for a target
     * read as of a position, the highest source position among its stored versions (delete markers included; of the
     * ranges or of the whole table), so that versions "from the future" — which no replication can have written — are
     * not hidden by {@code asOf}; empty otherwise.
     */
    record Digests(List<BucketDigest> buckets, Optional<Lsn> position, Optional<Lsn> newest) {
        public Digests {
            buckets = List.copyOf(buckets);
            Objects.requireNonNull(position, "position");
            Objects.requireNonNull(newest, "newest");
        }

        public Digests(List<BucketDigest> buckets, Optional<Lsn> position) {
            this(buckets, position, Optional.empty());
        }
    }

    /** One row: its canonical key text (for reports), key hash (60 bits) and row hash. */
    record RowDigest(String key, long keyHash, long rowHash) {
        public RowDigest {
            Objects.requireNonNull(key, "key");
            if (keyHash < 0) {
                throw InvalidValueException.of("key hash", keyHash, "must be a 60-bit non-negative number");
            }
        }
    }

    /**
     * Rows of a reading; {@code position} as in {@link Digests}. {@code unsettled}: for a target read as of a position,
     * the canonical key texts of rows whose state at that position is unknown because every version still stored is
     * from the position on (older versions may have been merged away); such keys changed after the source was read and
     * cannot be judged by this reading. Empty otherwise.
     */
    record RowDigests(List<RowDigest> rows, Set<String> unsettled, Optional<Lsn> position) {
        public RowDigests {
            rows = List.copyOf(rows);
            unsettled = Set.copyOf(unsettled);
            Objects.requireNonNull(position, "position");
        }

        public RowDigests(List<RowDigest> rows, Optional<Lsn> position) {
            this(rows, Set.of(), position);
        }
    }
}
