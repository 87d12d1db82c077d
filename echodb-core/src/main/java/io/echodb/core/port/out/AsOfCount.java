package io.echodb.core.port.out;

import io.echodb.core.model.InvalidValueException;

/**
 * A target's live rows as of a source position: {@code rows} keys certainly live then, and {@code undecided} keys whose
 * state then cannot be told any more (their only versions are from the position on: inserted after it, or changed
 * after it with the older version merged away). The true count lies in {@code rows .. rows + undecided}.
 */
public record AsOfCount(long rows, long undecided) {

    public AsOfCount {
        if (rows < 0 || undecided < 0) {
            throw InvalidValueException.of("as-of count", rows + "+" + undecided, "must be >= 0");
        }
    }

    /** A count with nothing undecided. */
    public static AsOfCount exactly(long rows) {
        return new AsOfCount(rows, 0);
    }

    /** True when the count is known exactly. */
    public boolean decided() {
        return undecided == 0;
    }

    /** Whether {@code count} could be the true count. */
    public boolean allows(long count) {
        return count >= rows && count - rows <= undecided;
    }
}
