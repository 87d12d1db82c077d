package io.echodb.core.change;

import io.echodb.core.model.InvalidValueException;

/** A PostgreSQL WAL position (unsigned 64-bit), written like {@code 16/B374D848}. */
public record Lsn(long value) implements Comparable<Lsn> {

    public static final Lsn ZERO = new Lsn(0);

    public static Lsn of(long value) {
        return new Lsn(value);
    }

    public static Lsn parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 0) {
            throw InvalidValueException.of("LSN", text, "must look like 16/B374D848");
        }
        String hiText = text.substring(0, slash);
        String loText = text.substring(slash + 1);
        if (!isHexHalf(hiText) || !isHexHalf(loText)) {
            throw InvalidValueException.of("LSN", text, "must look like 16/B374D848 (1 to 8 hex digits each side)");
        }
        return new Lsn((Long.parseLong(hiText, 16) << 32) | Long.parseLong(loText, 16));
    }

    private static boolean isHexHalf(String half) {
        if (half.isEmpty() || half.length() > 8) {
            return false;
        }
        for (int i = 0; i < half.length(); i++) {
            if (Character.digit(half.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    public boolean isBefore(Lsn other) {
        return compareTo(other) < 0;
    }

    public boolean isAfter(Lsn other) {
        return Long.compareUnsigned(value, other.value) > 0;
    }

    public static Lsn max(Lsn a, Lsn b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public int compareTo(Lsn o) {
        return Long.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xffffffffL).toUpperCase();
    }
}
