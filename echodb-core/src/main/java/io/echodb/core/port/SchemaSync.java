package io.echodb.core.port;

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

    /** The change cannot be applied safely (e.g. an incompatible type change); the mirror must stop with this reason. */
    record Incompatible(String reason) implements SchemaSync { }
}
