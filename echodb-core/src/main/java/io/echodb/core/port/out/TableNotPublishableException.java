package io.echodb.core.port.out;

import io.echodb.core.model.TableRef;

/**
 * The source refuses to publish a table because publishing it would make the application's UPDATE and DELETE of it
 * fail (it has no usable replica identity). The mirror is unsupported until the table gets one.
 */
public final class TableNotPublishableException extends RuntimeException {

    private TableNotPublishableException(String message) {
        super(message);
    }

    /** "table {@code table} {@code problem}; {@code remedy}". */
    public static TableNotPublishableException of(TableRef table, String problem, String remedy) {
        return new TableNotPublishableException("table " + table + " " + problem + "; " + remedy);
    }
}
