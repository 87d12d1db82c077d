package io.echodb.core.schema;

import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.KeylessTables;
import io.echodb.core.model.TableRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Shape of a source table: ordered columns and the key that identifies a row (primary key, replica identity
 * index, or every column under REPLICA IDENTITY FULL; empty when the table cannot be identified).
 * {@code relationId} is the source's identity of the table (PostgreSQL: pg_class.oid), which a same-named table
 * created after a drop does not share; {@link #UNKNOWN_RELATION} when the source has no such identity.
 */
public record TableSchema(TableRef table, List<Column> columns, List<String> keyColumns, ReplicaIdentity identity,
        long relationId, String sourceProblem) {

    /** The relation id of a schema whose source does not identify relations (routing then falls back to names). */
    public static final long UNKNOWN_RELATION = 0;

    public TableSchema {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(identity, "identity");
        if (relationId < 0) {
            throw InvalidValueException.of("relation id", Long.toString(relationId), "must not be negative");
        }
        columns = List.copyOf(columns);
        keyColumns = List.copyOf(keyColumns);
        Set<String> names = new HashSet<>();
        for (Column c : columns) {
            if (!names.add(c.name())) {
                throw InvalidValueException.of("column name", c.name(), "appears twice in " + table);
            }
        }
        for (String k : keyColumns) {
            if (!names.contains(k)) {
                throw InvalidValueException.of("key column", k, "is not a column of " + table);
            }
        }
    }

    /** A schema without a source relation id. */
    public TableSchema(TableRef table, List<Column> columns, List<String> keyColumns, ReplicaIdentity identity) {
        this(table, columns, keyColumns, identity, UNKNOWN_RELATION, null);
    }

    /** A schema the source can stream (no {@code sourceProblem}). */
    public TableSchema(TableRef table, List<Column> columns, List<String> keyColumns, ReplicaIdentity identity,
            long relationId) {
        this(table, columns, keyColumns, identity, relationId, null);
    }

    /** The same shape with another source relation id. */
    public TableSchema withRelationId(long id) {
        return new TableSchema(table, columns, keyColumns, identity, id, sourceProblem);
    }

    /**
     * Why the table cannot be mirrored, or empty when it can. {@code sourceProblem} (null when none) is the source's
     * own reason, a whole sentence: e.g. a DEFERRABLE primary key, a partition without a replica identity, an UNLOGGED
     * table. A {@link #keyless} table is refused here; {@link #unsupportedReason(KeylessTables)} may accept it.
     */
    public Optional<String> unsupportedReason() {
        if (sourceProblem != null) {
            return Optional.of(sourceProblem);
        }
        if (columns.isEmpty()) {
            return Optional.of("table " + table + " has no columns");
        }
        if (keyColumns.isEmpty() && identity == ReplicaIdentity.FULL) {
            return Optional.of("table " + table + " has REPLICA IDENTITY FULL but no primary key or unique index on NOT NULL"
                    + " columns: identical rows cannot be told apart by a key; add a primary key or such a unique index,"
                    + " or set KEYLESS_TABLES=full to mirror it as a multiset (duplicates kept)");
        }
        if (keyColumns.isEmpty()) {
            return Optional.of("table " + table + " has no primary key and no usable replica identity;"
                    + " add a primary key (not DEFERRABLE) or run ALTER TABLE ... REPLICA IDENTITY FULL (or USING INDEX),"
                    + " on the table and on each of its partitions, or set KEYLESS_TABLES=full to mirror key-less tables");
        }
        return Optional.empty();
    }

    /** {@link #unsupportedReason()}, except that under {@link KeylessTables#FULL} a {@link #keyless} table is accepted. */
    public Optional<String> unsupportedReason(KeylessTables keylessTables) {
        if (keylessTables == KeylessTables.FULL && keyless()) {
            return Optional.empty();
        }
        return unsupportedReason();
    }

    /**
     * True when the table has columns but no key to tell rows apart, its replica identity is the default (no primary
     * key) or FULL, and the source has no other objection: mirrored as a multiset under REPLICA IDENTITY FULL (which
     * {@link #keylessWithoutFullIdentity} tables get first). REPLICA IDENTITY NOTHING is the user's choice and stays.
     */
    public boolean keyless() {
        return sourceProblem == null && !columns.isEmpty() && keyColumns.isEmpty()
                && (identity == ReplicaIdentity.DEFAULT || identity == ReplicaIdentity.FULL);
    }

    /** A {@link #keyless} table whose updates and deletes do not carry whole old rows yet. */
    public boolean keylessWithoutFullIdentity() {
        return keyless() && identity != ReplicaIdentity.FULL;
    }

    /** A {@link #keyless} table whose updates and deletes carry whole old rows: its target is a multiset. */
    public boolean isMultiset() {
        return keyless() && identity == ReplicaIdentity.FULL;
    }

    public int indexOf(String column) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(column)) {
                return i;
            }
        }
        return -1;
    }

    public Optional<Column> column(String name) {
        int i = indexOf(name);
        return i < 0 ? Optional.empty() : Optional.of(columns.get(i));
    }

    public int[] keyIndexes() {
        int[] idx = new int[keyColumns.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = indexOf(keyColumns.get(i));
        }
        return idx;
    }

    public List<String> columnNames() {
        List<String> out = new ArrayList<>(columns.size());
        columns.forEach(c -> out.add(c.name()));
        return out;
    }
}
