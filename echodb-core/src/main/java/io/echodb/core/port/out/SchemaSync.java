package io.echodb.core.port.out;

import java.util.List;

/** Outcome of bringing a target table in line with a source schema. */
public sealed interface SchemaSync {

    record Created(String ddl) implements SchemaSync { }

    record Altered(List<String> changes) implements SchemaSync {
        public Altered {
            changes = List.copyOf(changes);
        }
    }

    record Unchanged() implements SchemaSync { }

    /**
     * The change cannot be applied in place (e.g. an incompatible type change). {@code rebuildable}: the target is the
     * sink's own table, which a fresh copy may drop and create again for the new shape (a copy empties it anyway);
     * false when it must be left alone (a table the sink did not create, a shape it cannot store at all). Outside a
     * copy, the mirror must stop with this reason.
     */
    record Incompatible(String reason, boolean rebuildable) implements SchemaSync {

        /** Not rebuildable. */
        public Incompatible(String reason) {
            this(reason, false);
        }
    }
}
