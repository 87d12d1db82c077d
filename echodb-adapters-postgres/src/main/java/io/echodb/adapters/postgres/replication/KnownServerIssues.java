package io.echodb.adapters.postgres.replication;

import java.util.Optional;

/**
 * PostgreSQL releases with a known logical replication defect that can lose a newly published table's changes:
 * when a table is added to a publication while another transaction that already wrote to it is still open, the
 * walsender keeps treating the table as unpublished (fixed upstream in 17.5, 16.9, 15.13, 14.18 and 13.21).
 */
final class KnownServerIssues {

    private KnownServerIssues() {
    }

    /** A warning for {@code serverVersionNum} (e.g. 170002), or empty when the server has the fix. */
    static Optional<String> publicationCacheWarning(int serverVersionNum) {
        int major = serverVersionNum / 10000;
        int minor = serverVersionNum % 10000;
        int fixedMinor = switch (major) {
            case 13 -> 21;
            case 14 -> 18;
            case 15 -> 13;
            case 16 -> 9;
            case 17 -> 5;
            default -> major < 13 ? Integer.MAX_VALUE : 0;
        };
        if (minor >= fixedMinor) {
            return Optional.empty();
        }
        String upgrade = major < 13 ? "a supported major version" : major + "." + fixedMinor + " or later";
        return Optional.of("PostgreSQL " + major + "." + minor + " has a logical replication defect that can drop the"
                + " changes of a table added to the publication while another open transaction has already written to it;"
                + " upgrade to " + upgrade + ", or create mirrors while the table is quiet and verify them"
                + " (GET /verify?mode=checksum) afterwards");
    }
}
