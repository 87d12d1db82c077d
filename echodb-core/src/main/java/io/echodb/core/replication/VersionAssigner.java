package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.change.RowVersion;

/**
 * Gives streamed row changes their versions: (commit LSN of the transaction, 1-based ordinal of the change in it).
 * Every row change of the transaction counts, whatever its table, so a replay of the same transaction assigns the
 * same versions again and stale rows of an interrupted run can never outrank the rows of a complete one.
 */
final class VersionAssigner {

    private Lsn commitLsn;
    private long ordinal;
    private boolean open;

    void begin(Lsn finalLsn) {
        commitLsn = finalLsn;
        ordinal = 0;
        open = true;
    }

    /** The version of the next row change of the open transaction. */
    RowVersion next() {
        if (!open) {
            throw new IllegalStateException("row change outside a transaction (no Begin before it)");
        }
        ordinal++;
        return RowVersion.change(commitLsn, ordinal);
    }

    void commit() {
        open = false;
    }

    /** The commit LSN of the open transaction, or null. */
    Lsn commitLsn() {
        return open ? commitLsn : null;
    }

    boolean inTransaction() {
        return open;
    }

    void reset() {
        open = false;
        commitLsn = null;
        ordinal = 0;
    }
}
