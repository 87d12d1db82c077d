package io.echodb.core.model;

/** What EchoDB does with a table that has no primary key and no unique replica identity ({@code KEYLESS_TABLES}). */
public enum KeylessTables {
    /** Reported (UNSUPPORTED, with the fix), never published: the default. */
    REPORT,
    /**
     * Mirrored as a multiset: EchoDB sets REPLICA IDENTITY FULL (whole old rows in the WAL) and the target holds one
     * +1 row per insert and −1 row per delete (an update is both), so duplicates stay duplicates.
     */
    FULL;

    /** The mode named {@code value} (case-insensitive) for configuration key {@code key}. */
    public static KeylessTables parse(String key, String value) {
        for (KeylessTables k : values()) {
            if (k.name().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return k;
            }
        }
        throw InvalidValueException.of(key, value, "must be report or full");
    }
}
