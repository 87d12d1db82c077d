package io.echodb.core.model;

import java.time.Instant;
import java.util.Objects;

/** A schema change captured in the source, in commit order; {@code position} is the durable cursor value. */
public sealed interface DdlEvent {

    long position();

    Instant at();

    /** The table the event is about (the new name for a rename). */
    TableRef table();

    record TableCreated(long position, TableRef table, Instant at) implements DdlEvent {
        public TableCreated {
            check(position, table, at);
        }
    }

    record TableDropped(long position, TableRef table, Instant at) implements DdlEvent {
        public TableDropped {
            check(position, table, at);
        }
    }

    record TableAltered(long position, TableRef table, Instant at) implements DdlEvent {
        public TableAltered {
            check(position, table, at);
        }
    }

    /**
     * DDL changed the values of existing rows without sending row changes (a column type changed with a rewrite, a
     * column added with a default, a partition attached or detached, an enum value renamed), or changed whether the
     * table can be published: the table's mirror must copy it again. {@code reason} says which DDL, for people.
     */
    record TableRewritten(long position, TableRef table, Instant at, String reason) implements DdlEvent {
        public TableRewritten {
            check(position, table, at);
            reason = reason == null || reason.isBlank() ? "values changed by DDL" : reason;
        }
    }

    record TableRenamed(long position, TableRef from, TableRef table, Instant at) implements DdlEvent {
        public TableRenamed {
            check(position, table, at);
            Objects.requireNonNull(from, "from");
        }
    }

    private static void check(long position, TableRef table, Instant at) {
        if (position <= 0) {
            throw InvalidValueException.of("event position", position, "must be > 0");
        }
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(at, "at");
    }
}
