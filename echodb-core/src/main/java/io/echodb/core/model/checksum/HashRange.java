package io.echodb.core.model.checksum;

import io.echodb.core.model.InvalidValueException;

/**
 * The key hashes whose top {@code bits} bits equal {@code prefix}: {@code [first(), last()]}. {@link #ALL} is the
 * whole table; a range's children split it by further bits.
 */
public record HashRange(int bits, long prefix) implements Comparable<HashRange> {

    /** Bits of a key hash: the first 15 hex digits of md5, a non-negative long on every side. */
    public static final int KEY_HASH_BITS = 60;

    public static final HashRange ALL = new HashRange(0, 0);

    public HashRange {
        if (bits < 0 || bits > KEY_HASH_BITS) {
            throw InvalidValueException.of("hash range bits", bits, "must be 0.." + KEY_HASH_BITS);
        }
        if (prefix < 0 || (bits < 63 && prefix >= (1L << bits))) {
            throw InvalidValueException.of("hash range prefix", prefix, "must be 0..2^" + bits + "-1");
        }
    }

    /** The smallest key hash in the range. */
    public long first() {
        return prefix << (KEY_HASH_BITS - bits);
    }

    /** The largest key hash in the range. */
    public long last() {
        return first() + ((1L << (KEY_HASH_BITS - bits)) - 1);
    }

    public boolean contains(long keyHash) {
        return keyHash >= first() && keyHash <= last();
    }

    /** The child range {@code childBits} below this one that holds {@code keyHash}. */
    public HashRange childOf(long keyHash, int childBits) {
        int depth = bits + childBits;
        return new HashRange(depth, keyHash >>> (KEY_HASH_BITS - depth));
    }

    /** True when {@code other} lies within this range (or is it). */
    public boolean encloses(HashRange other) {
        return other.bits >= bits && contains(other.first());
    }

    @Override
    public int compareTo(HashRange o) {
        return Long.compare(first(), o.first()) != 0 ? Long.compare(first(), o.first()) : Integer.compare(bits, o.bits);
    }

    @Override
    public String toString() {
        return bits == 0 ? "all" : Long.toHexString(first()) + "/" + bits;
    }
}
