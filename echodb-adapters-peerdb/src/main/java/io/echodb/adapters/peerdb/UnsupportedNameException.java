package io.echodb.adapters.peerdb;

import io.echodb.core.port.in.MirrorEngineException;

/**
 * A table or schema name that PeerDB's SQL interface cannot carry faithfully, so no mirror is created (fatal).
 *
 * <p>Why quoting does not help: PeerDB's parser accepts {@code "quoted"} names in a table mapping, but it hands the
 * name to its flow service as written, quotes included, and the flow service splits {@code schema.table} at the first
 * dot and quotes each half again. Only plain words (a letter or underscore, then letters, digits, {@code _} or
 * {@code $}) arrive unchanged, and they keep their case.
 */
public final class UnsupportedNameException extends MirrorEngineException {

    private UnsupportedNameException(String message) {
        super(message, null, false);
    }

    public static UnsupportedNameException of(String what, String name) {
        return new UnsupportedNameException("PeerDB cannot mirror " + what + " '" + name + "': PeerDB's SQL interface only"
                + " carries plain names (letters, digits, '_' or '$', not starting with a digit, no spaces, quotes or dots);"
                + " rename it, exclude it with EXCLUDED_TABLES, or use MIRROR_ENGINE=native");
    }
}
