package io.echodb.core.change;

import io.echodb.core.model.TableRef;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import java.time.Instant;
import java.util.List;
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

    record Insert(TableRef table, Row newRow) implements ChangeEvent {
        public Insert {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(newRow, "newRow");
        }
    }

    /** {@code oldRow} is null unless the key changed or the table has REPLICA IDENTITY FULL. */
    record Update(TableRef table, Row oldRow, Row newRow) implements ChangeEvent {
        public Update {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(newRow, "newRow");
        }
    }

    /** {@code oldRow} holds at least the key columns (others may be null). */
    record Delete(TableRef table, Row oldRow) implements ChangeEvent {
        public Delete {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(oldRow, "oldRow");
        }
    }

    record Truncate(List<TableRef> tables) implements ChangeEvent {
        public Truncate {
            tables = List.copyOf(tables);
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
