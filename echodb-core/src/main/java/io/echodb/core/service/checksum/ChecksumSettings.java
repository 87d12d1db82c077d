package io.echodb.core.service.checksum;

import io.echodb.core.model.InvalidValueException;
import io.echodb.core.port.out.RowChecksums;
import java.time.Duration;
import java.util.Objects;

/**
 * How the checksum comparison splits a table and how far it digs.
 *
 * @param topBits            hash bits of the first split (2^topBits buckets; 12 keeps buckets of a 1,000,000-row table
 *                           near 250 rows and costs nothing for small tables, whose empty buckets are not returned)
 * @param splitBits          hash bits added when a differing bucket holds too many rows to fetch
 * @param maxRowsPerFetch    a differing bucket is fetched row by row only below this many rows (per side)
 * @param maxKeys            differing keys reported at most (the seed reported none)
 * @param commonPointTimeout how long to wait for the mirror to apply past the source position of a reading before
 *                           comparing anyway (the difference is then reported as possibly in flight); waited at most
 *                           once per reading
 * @param commonPointPoll    how often the applied position is asked meanwhile
 */
public record ChecksumSettings(int topBits, int splitBits, int maxRowsPerFetch, int maxKeys,
                               Duration commonPointTimeout, Duration commonPointPoll) {

    public ChecksumSettings {
        if (topBits < 0 || topBits > 20) {
            throw InvalidValueException.of("checksum top bits", topBits, "must be 0..20");
        }
        if (splitBits < 1 || splitBits > 16) {
            throw InvalidValueException.of("checksum split bits", splitBits, "must be 1..16");
        }
        if (maxRowsPerFetch < 1 || maxRowsPerFetch > 1_000_000) {
            throw InvalidValueException.of("checksum rows per fetch", maxRowsPerFetch, "must be 1..1000000");
        }
        if (maxKeys < 1 || maxKeys > 100_000) {
            throw InvalidValueException.of("checksum max keys", maxKeys, "must be 1..100000");
        }
        Objects.requireNonNull(commonPointTimeout, "commonPointTimeout");
        Objects.requireNonNull(commonPointPoll, "commonPointPoll");
        if (commonPointTimeout.isNegative()) {
            throw InvalidValueException.of("common point timeout", commonPointTimeout, "must not be negative");
        }
        if (commonPointPoll.isNegative() || commonPointPoll.isZero()) {
            throw InvalidValueException.of("common point poll interval", commonPointPoll, "must be > 0");
        }
    }

    public static ChecksumSettings defaults() {
        return new ChecksumSettings(12, 6, 5000, 100, Duration.ofSeconds(10), Duration.ofMillis(200));
    }

    public ChecksumSettings withMaxKeys(int keys) {
        return new ChecksumSettings(topBits, splitBits, maxRowsPerFetch, keys, commonPointTimeout, commonPointPoll);
    }

    public ChecksumSettings withSplitting(int top, int split, int rowsPerFetch) {
        return new ChecksumSettings(top, split, rowsPerFetch, maxKeys, commonPointTimeout, commonPointPoll);
    }

    public ChecksumSettings withCommonPoint(Duration timeout, Duration poll) {
        return new ChecksumSettings(topBits, splitBits, maxRowsPerFetch, maxKeys, timeout, poll);
    }

    /** Depth reachable by splitting: a range deeper than this is fetched whatever its size. */
    static int maxDepth() {
        return RowChecksums.KEY_HASH_BITS;
    }
}
