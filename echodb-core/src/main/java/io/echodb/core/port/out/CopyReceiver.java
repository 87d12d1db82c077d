package io.echodb.core.port.out;

import io.echodb.core.schema.Row;
import java.util.List;

/**
 * Driven (callback of {@link SnapshotSession#copy}): takes a copy's rows, possibly from several worker threads at once;
 * blocking (a slow receiver slows the copy down); never called with null. An exception thrown here stops the copy and
 * is rethrown by {@code copy}.
 */
@FunctionalInterface
public interface CopyReceiver {

    /** A batch of copied rows (the list may be reused by the caller only after this returns). */
    void accept(List<Row> rows);

    /**
     * Every row of {@code range} has been passed to {@link #accept} on the calling thread: once those rows are stored,
     * a resumed copy need not read the range again. Not called for parts of a copy that have no page range.
     */
    default void rangeFinished(CopyRange range) {
    }
}
