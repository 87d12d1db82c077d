package io.echodb.core.change;

import io.echodb.core.model.TableRef;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One decoded message of the logical replication stream, in stream order. Row changes arrive between
 * {@link Begin} and {@link Commit}; a {@link Relation} announces (or changes) a table's schema before its rows.
 */
public sealed interface ChangeEvent {

    record Begin(long xid, Lsn finalLsn, Instant commitTime) implements ChangeEvent {
        public Begin {
            Objects.requireNonNull(finalLsn, "finalLsn");
            Objects.requireNonNull(commitTime, "commitTime");
        }
    }

    record Relation(TableSchema schema) implements ChangeEvent {
        public Relation {
            Objects.requireNonNull(schema, "schema");
        }
    }

    /** A change of one row; {@code relationId} is the source's identity of the changed table (see {@link TableSchema}). */
    sealed interface RowChange extends ChangeEvent permits Insert, Update, Delete {
        TableRef table();

        long relationId();
    }

    record Insert(TableRef table, Row newRow, long relationId) implements RowChange {
        public Insert {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(newRow, "newRow");
        }

        public Insert(TableRef table, Row newRow) {
            this(table, newRow, TableSchema.UNKNOWN_RELATION);
        }
    }

    /** {@code oldRow} is null unless the key changed or the table has REPLICA IDENTITY FULL. */
    record Update(TableRef table, Row oldRow, Row newRow, long relationId) implements RowChange {
        public Update {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(newRow, "newRow");
        }

        public Update(TableRef table, Row oldRow, Row newRow) {
            this(table, oldRow, newRow, TableSchema.UNKNOWN_RELATION);
        }
    }

    /** {@code oldRow} holds at least the key columns (others may be null). */
    record Delete(TableRef table, Row oldRow, long relationId) implements RowChange {
        public Delete {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(oldRow, "oldRow");
        }

        public Delete(TableRef table, Row oldRow) {
            this(table, oldRow, TableSchema.UNKNOWN_RELATION);
        }
    }

    /** {@code relationIds} has one id per table, in the same order (or is empty when the source has none). */
    record Truncate(List<TableRef> tables, List<Long> relationIds) implements ChangeEvent {
        public Truncate {
            tables = List.copyOf(tables);
            relationIds = List.copyOf(relationIds);
            if (!relationIds.isEmpty() && relationIds.size() != tables.size()) {
                throw new IllegalArgumentException("a truncate of " + tables.size() + " tables carries "
                        + relationIds.size() + " relation ids");
            }
        }

        public Truncate(List<TableRef> tables) {
            this(tables, List.of());
        }

        /** The relation id of the {@code i}-th table. */
        public long relationId(int i) {
            return relationIds.isEmpty() ? TableSchema.UNKNOWN_RELATION : relationIds.get(i);
        }
    }

    /**
     * Columns of relation {@code relationId}, named {@code table} when the DDL ran, were renamed ({@code renames}: old
     * name → new name), at this point of the
     * stream: the changes before it name the columns the old way, the ones after it the new way. Sources that cannot
     * place renames in the stream never send it (their renames make the table copy again).
     */
    record ColumnsRenamed(long relationId, TableRef table, Map<String, String> renames) implements ChangeEvent {
        public ColumnsRenamed {
            Objects.requireNonNull(table, "table");
            renames = Collections.unmodifiableMap(new LinkedHashMap<>(renames));
            if (renames.isEmpty()) {
                throw new IllegalArgumentException("a rename of no columns");
            }
        }
    }

    /**
     * DDL changed existing rows of relation {@code relationId} (named {@code table} when it ran) without row changes —
     * a default added to a column, a rewriting type change, a partition truncated — at this point of the stream. The
     * relation id finds the mirror even after the table was renamed; its target must be copied again.
     */
    record RowsRewritten(long relationId, TableRef table, String reason) implements ChangeEvent {
        public RowsRewritten {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** {@code commitLsn} orders transactions; {@code endLsn} is what may be acknowledged once applied. */
    record Commit(Lsn commitLsn, Lsn endLsn, Instant commitTime) implements ChangeEvent {
        public Commit {
            Objects.requireNonNull(commitLsn, "commitLsn");
            Objects.requireNonNull(endLsn, "endLsn");
            Objects.requireNonNull(commitTime, "commitTime");
        }
    }

    /** Sent by the server when idle: everything up to {@code serverLsn} has been seen. */
    record Keepalive(Lsn serverLsn) implements ChangeEvent {
        public Keepalive {
            Objects.requireNonNull(serverLsn, "serverLsn");
        }
    }
}
