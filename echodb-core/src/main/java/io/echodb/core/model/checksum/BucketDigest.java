package io.echodb.core.model.checksum;

import io.echodb.core.model.InvalidValueException;
import java.util.Objects;

/** Rows and digest of one bucket. */
public record BucketDigest(HashRange bucket, long rows, long digest) {
    public BucketDigest {
        Objects.requireNonNull(bucket, "bucket");
        if (rows < 0) {
            throw InvalidValueException.of("bucket rows", rows, "must be >= 0");
        }
    }
}
