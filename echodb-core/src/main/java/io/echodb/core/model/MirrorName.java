package io.echodb.core.model;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Name of a mirror: lower-case ASCII letters, digits and underscores, starting with a letter or underscore,
 * at most 63 characters. Safe to embed in any engine's statements (PeerDB lower-cases names anyway).
 */
public record MirrorName(String value) implements Comparable<MirrorName> {

    private static final Pattern VALID = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public MirrorName {
        if (value == null || !VALID.matcher(value).matches()) {
            throw InvalidValueException.of("mirror name", value, "must match " + VALID.pattern());
        }
    }

    /**
     * The seed's naming, {@code <table>_mirror}, or {@code <schema>_<table>_mirror} when schemas must be told apart.
     * Names that are not plain lower-case identifiers are folded and get a short hash so two tables never share a name.
     */
    public static MirrorName forTable(TableRef table, boolean qualifyWithSchema) {
        String raw = qualifyWithSchema ? table.schema() + "_" + table.name() : table.name();
        String folded = raw.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (folded.isEmpty() || Character.isDigit(folded.charAt(0))) {
            folded = "t_" + folded;
        }
        boolean lossless = folded.equals(raw);
        String suffix = "_mirror";
        String hash = lossless ? "" : "_" + shortHash(table.qualified());
        int room = 63 - suffix.length() - hash.length();
        if (folded.length() > room) {
            folded = folded.substring(0, room);
            if (hash.isEmpty()) {
                hash = "_" + shortHash(table.qualified());
                folded = folded.substring(0, Math.max(1, room - hash.length()));
            }
        }
        return new MirrorName(folded + hash + suffix);
    }

    private static String shortHash(String s) {
        long h = 1125899906842597L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + b;
        }
        return Long.toHexString(h & 0xffffffL);
    }

    @Override
    public int compareTo(MirrorName o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
