package io.echodb.adapters.postgres.decode;

import java.nio.charset.StandardCharsets;

/** A value's text did not have the form its column type promises. */
public final class PgValueFormatException extends IllegalArgumentException {

    private PgValueFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    public static PgValueFormatException of(String type, byte[] buf, int off, int len, Throwable cause) {
        String text = new String(buf, off, Math.min(len, 200), StandardCharsets.UTF_8);
        return new PgValueFormatException("invalid " + type + " value '" + text + (len > 200 ? "…" : "") + "'"
                + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
    }

    /** The same failure, prefixed with where the value came from (e.g. {@code public.t.col}). */
    public static PgValueFormatException in(String where, PgValueFormatException e) {
        return new PgValueFormatException(where + ": " + e.getMessage(), e);
    }

    public static PgValueFormatException of(String type, byte[] buf, int off, int len) {
        return of(type, buf, off, len, null);
    }
}
