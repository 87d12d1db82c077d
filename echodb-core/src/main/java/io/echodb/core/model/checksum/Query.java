package io.echodb.core.model.checksum;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.InvalidValueException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One request: {@code ranges} of {@code scope}'s table, read as of the source position {@code asOf} where the side
 * can (a target keeping row versions ignores changes from that position on); sides that cannot go back ignore it.
 */
public record Query(Scope scope, List<HashRange> ranges, Optional<Lsn> asOf) {
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
