package io.echodb.adapters.clickhouse;

/** A single value cannot be converted; the sink adds table and column and rethrows a {@link ClickHouseRejectedException}. */
final class BadValueException extends RuntimeException {

    BadValueException(String message) {
        super(message, null, false, false);
    }
}
