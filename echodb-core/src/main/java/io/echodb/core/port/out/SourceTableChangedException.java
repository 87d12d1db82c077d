package io.echodb.core.port.out;

import io.echodb.core.model.TableRef;

/**
 * The table a copy was planned for is not the table the snapshot holds: it was dropped and created again, or its
 * columns changed, between describing it and taking the snapshot — or while the copy ran. The copy starts over from a
 * fresh description.
 */
public final class SourceTableChangedException extends RuntimeException {

    private SourceTableChangedException(String message) {
        super(message);
    }

    public static SourceTableChangedException replaced(TableRef table, long describedRelation, long snapshotRelation) {
        return new SourceTableChangedException("table " + table + " was replaced before its snapshot: described as relation "
                + describedRelation + ", the snapshot holds relation " + snapshotRelation);
    }

    public static SourceTableChangedException reshaped(TableRef table, Object described, Object inSnapshot) {
        return new SourceTableChangedException("columns of " + table + " changed before its snapshot: described "
                + described + ", the snapshot has " + inSnapshot);
    }

    /** DDL committed after the snapshot was taken made the source refuse the copy (a column or the table is gone). */
    public static SourceTableChangedException changedDuringCopy(TableRef table, String refusal) {
        return new SourceTableChangedException("table " + table + " changed while it was being copied: " + refusal);
    }
}
