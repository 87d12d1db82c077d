package io.echodb.adapters.clickhouse;

/**
 * ClickHouse (or this adapter, before sending) refused a statement for a reason retrying cannot fix: bad data, a
 * schema mismatch, a missing table, wrong credentials or permissions. Not retryable; the mirror must stop and report
 * the message, which carries ClickHouse's own error code and text.
 */
public final class ClickHouseRejectedException extends RuntimeException {

    /** ClickHouse's error code, or 0 when the adapter itself rejected the data. */
    private final int code;

    private ClickHouseRejectedException(String message, int code, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** ClickHouse answered {@code serverMessage} (code {@code code}) while the adapter tried to do {@code what}. */
    public static ClickHouseRejectedException byServer(String what, int code, String serverMessage, Throwable cause) {
        return new ClickHouseRejectedException("ClickHouse rejected the request to " + what + ": " + serverMessage, code, cause);
    }

    /** A value or schema cannot be written as is; {@code detail} names the table, column and value. */
    public static ClickHouseRejectedException badData(String target, String detail) {
        return new ClickHouseRejectedException("cannot write to ClickHouse table '" + target + "': " + detail, 0, null);
    }

    public int code() {
        return code;
    }
}
