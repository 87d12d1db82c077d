package io.echodb.adapters.clickhouse;

import java.nio.charset.StandardCharsets;

/** A single value cannot be converted; the sink adds table and column and rethrows a {@link ClickHouseRejectedException}. */
final class BadValueException extends RuntimeException {

    BadValueException(String message) {
        super(message, null, false, false);
    }

    /** {@code v} is not of the neutral type {@code expected} names (shown abbreviated). */
    static BadValueException unexpected(String expected, Object v) {
        String shown = v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(v);
        return new BadValueException("expected " + expected + ", got " + v.getClass().getSimpleName()
                + " '" + NeutralText.abbreviate(shown) + "'");
    }
}
