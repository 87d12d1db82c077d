package io.echodb.core.model.checksum;

import io.echodb.core.change.Lsn;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Buckets of a reading. {@code position}: the source position the reading reflects when the side knows it (the
 * source: the WAL position of its snapshot; a target: the {@code asOf} it honoured). {@code newest}: for a target
 * read as of a position, the highest source position among its stored versions (delete markers included; of the
 * ranges or of the whole table), so that versions "from the future" — which no replication can have written — are
 * not hidden by {@code asOf}; empty otherwise.
 */
public record Digests(List<BucketDigest> buckets, Optional<Lsn> position, Optional<Lsn> newest) {
    public Digests {
        buckets = List.copyOf(buckets);
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(newest, "newest");
    }

    public Digests(List<BucketDigest> buckets, Optional<Lsn> position) {
        this(buckets, position, Optional.empty());
    }
}
