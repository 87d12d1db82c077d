package io.echodb.core.service.checksum;

import io.echodb.core.model.TableRef;

/** A table cannot be compared in checksum mode; the message says why and what to do. */
public final class ChecksumUnavailableException extends RuntimeException {

    private ChecksumUnavailableException(String message) {
        super(message);
    }

    public static ChecksumUnavailableException notConfigured() {
        return new ChecksumUnavailableException("checksum mode is not configured in this EchoDB (no row checksums for"
                + " both sides); use mode=count");
    }

    public static ChecksumUnavailableException noSuchTable(TableRef table) {
        return new ChecksumUnavailableException("table " + table + " does not exist in the source");
    }

    public static ChecksumUnavailableException noKey(TableRef table) {
        return new ChecksumUnavailableException("table " + table + " has no primary key or replica identity to identify"
                + " rows by; only mode=count can check it");
    }

    public static ChecksumUnavailableException keyNotComparable(TableRef table, String column) {
        return new ChecksumUnavailableException("key column '" + column + "' of " + table + " is missing in the target or"
                + " stored in a form that cannot be compared; only mode=count can check it");
    }
}
