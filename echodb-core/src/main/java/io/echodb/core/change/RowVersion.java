package io.echodb.core.change;

import io.echodb.core.model.InvalidValueException;
import java.math.BigInteger;

/**
 * Version of a row in the target, ordered by (commit LSN, ordinal). Copied rows get (snapshot point, 0); streamed
 * rows get (commit LSN, 1-based ordinal of the change within its transaction). The target stores it as UInt128
 * (high 64 bits = LSN, low 64 bits = ordinal), so transactions of any size order correctly.
 */
public record RowVersion(long lsn, long ordinal) implements Comparable<RowVersion> {

    public RowVersion {
        if (ordinal < 0) {
            throw InvalidValueException.of("row version ordinal", ordinal, "must be >= 0");
        }
    }

    public static RowVersion snapshot(Lsn point) {
        return new RowVersion(point.value(), 0);
    }

    public static RowVersion change(Lsn commitLsn, long ordinal) {
        return new RowVersion(commitLsn.value(), ordinal);
    }

    public BigInteger toUnsigned128() {
        BigInteger hi = new BigInteger(Long.toUnsignedString(lsn));
        return hi.shiftLeft(64).add(new BigInteger(Long.toUnsignedString(ordinal)));
    }

    @Override
    public int compareTo(RowVersion o) {
        int c = Long.compareUnsigned(lsn, o.lsn);
        return c != 0 ? c : Long.compareUnsigned(ordinal, o.ordinal);
    }
}
