package io.echodb.runner.wiring;

import java.util.Locale;
import java.util.Optional;

/**
 * One-line fixes for failures that waiting or retrying cannot cure, added to /ready's details (and the log) so the
 * person on call reads what to change, not only what broke. Matches the servers' own error texts and codes.
 */
final class FixHints {

    private FixHints() {
    }

    /** The fix for a ClickHouse error, when it is one of the permanent kinds. */
    static Optional<String> clickHouse(String error) {
        String e = lower(error);
        if (e.contains("code: 516") || e.contains("authentication failed") || e.contains("password is incorrect")) {
            return Optional.of("fix: check CLICKHOUSE_USER and CLICKHOUSE_PASSWORD (ClickHouse refused the credentials)");
        }
        if (e.contains("code: 81") || e.contains("unknown_database") || (e.contains("database") && e.contains("does not exist"))) {
            return Optional.of("fix: create the database named in CLICKHOUSE_URL / CLICKHOUSE_DB, or let the user create it"
                    + " (GRANT CREATE DATABASE)");
        }
        if (e.contains("code: 497") || e.contains("access_denied") || e.contains("not enough privileges")) {
            return Optional.of("fix: grant the ClickHouse user CREATE TABLE, ALTER, INSERT, SELECT and DROP on the target"
                    + " database");
        }
        return Optional.empty();
    }

    /** The fix for a PostgreSQL error, when it is one of the permanent kinds. */
    static Optional<String> postgres(String error) {
        String e = lower(error);
        if (e.contains("password authentication failed") || e.contains("28p01")) {
            return Optional.of("fix: check POSTGRES_USER and POSTGRES_PASSWORD (PostgreSQL refused the credentials)");
        }
        if (e.contains("no pg_hba.conf entry")) {
            return Optional.of("fix: allow this host in the server's pg_hba.conf (a replication entry as well)");
        }
        if (e.contains("database") && e.contains("does not exist")) {
            return Optional.of("fix: POSTGRES_DB names a database the server does not have");
        }
        if (e.contains("permission denied")) {
            return Optional.of("fix: grant the EchoDB user SELECT on the watched tables and the REPLICATION attribute"
                    + " (README, Remote databases)");
        }
        return Optional.empty();
    }

    /** {@code detail}, followed by the fix when one is known. */
    static String withFix(String detail, Optional<String> fix) {
        return fix.map(f -> detail + "; " + f).orElse(detail);
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
