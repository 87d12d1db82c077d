package io.echodb.core.model.checksum;

import io.echodb.core.model.InvalidValueException;
import java.util.Objects;

/** One row: its canonical key text (for reports), key hash (60 bits) and row hash. */
public record RowDigest(String key, long keyHash, long rowHash) {
    public RowDigest {
        Objects.requireNonNull(key, "key");
        if (keyHash < 0) {
            throw InvalidValueException.of("key hash", keyHash, "must be a 60-bit non-negative number");
        }
    }
}
