package io.echodb.core.model.checksum;

import io.echodb.core.change.Lsn;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Rows of a reading; {@code position} as in {@link Digests}. {@code unsettled}: for a target read as of a position,
 * the canonical key texts of rows whose state at that position is unknown because every version still stored is
 * from the position on (older versions may have been merged away); such keys changed after the source was read and
 * cannot be judged by this reading. Empty otherwise.
 */
public record RowDigests(List<RowDigest> rows, Set<String> unsettled, Optional<Lsn> position) {
    public RowDigests {
        rows = List.copyOf(rows);
        unsettled = Set.copyOf(unsettled);
        Objects.requireNonNull(position, "position");
    }

    public RowDigests(List<RowDigest> rows, Optional<Lsn> position) {
        this(rows, Set.of(), position);
    }
}
