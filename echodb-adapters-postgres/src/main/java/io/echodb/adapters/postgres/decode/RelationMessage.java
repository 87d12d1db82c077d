package io.echodb.adapters.postgres.decode;

import java.util.List;
import java.util.Objects;

/**
 * A pgoutput Relation message: the table's identity and its published columns with type OID, type modifier and
 * whether the column is part of the replica identity. {@code replicaIdentity} is pg_class.relreplident
 * ({@code d}efault, {@code n}othing, {@code f}ull, {@code i}ndex).
 */
public record RelationMessage(int relationId, String schema, String table, char replicaIdentity, List<Column> columns) {

    public RelationMessage {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
        columns = List.copyOf(columns);
    }

    /** One column of the Relation message. */
    public record Column(String name, int typeOid, int typeModifier, boolean key) {
        public Column {
            Objects.requireNonNull(name, "name");
        }
    }
}
