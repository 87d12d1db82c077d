package io.echodb.core.service.checksum;

import io.echodb.core.model.ConsistencyReport.KeyDifference;
import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.checksum.HashRange;
import io.echodb.core.model.checksum.Scope;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One reading of the checksum comparison.
 *
 * @param scope             what was compared
 * @param sourceRows        live rows in the source (whole table)
 * @param targetRows        live rows in the target (whole table)
 * @param differences       differing keys found, at most the configured number, sorted by key
 * @param suspects          the hash ranges that still differ, with the rows each side held there when last read: the
 *                          ranges the differences were found in, and differing ranges left unexplored once enough keys
 *                          were found. A recheck reads only these.
 * @param moreDifferences   true when differing ranges were left unexplored (there may be more differing keys)
 * @param missedCommonPoint true when part of the reading could not be compared at the source reading's position:
 *                          the mirror did not apply past it in time, or rows changed in the target after it (their
 *                          older versions merged away). The difference may still be in flight.
 */
public record ChecksumResult(Scope scope, long sourceRows, long targetRows, List<KeyDifference> differences,
                             Map<HashRange, Counts> suspects, boolean moreDifferences, boolean missedCommonPoint) {

    /** Rows each side holds in one range. */
    public record Counts(long source, long target) {
        public Counts {
            if (source < 0 || target < 0) {
                throw InvalidValueException.of("range row counts", source + "/" + target, "must be >= 0");
            }
        }

        Counts plus(Counts o) {
            return new Counts(source + o.source, target + o.target);
        }

        long larger() {
            return Math.max(source, target);
        }
    }

    public ChecksumResult {
        Objects.requireNonNull(scope, "scope");
        differences = List.copyOf(differences);
        suspects = Collections.unmodifiableMap(new TreeMap<>(suspects));
    }

    /** True when some range still differs (whether or not its keys were found). */
    public boolean differs() {
        return !suspects.isEmpty();
    }
}
