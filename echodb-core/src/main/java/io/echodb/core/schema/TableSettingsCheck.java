package io.echodb.core.schema;

import io.echodb.core.model.TableSettings;
import java.util.Optional;

/**
 * Whether a table can be mirrored exactly with its {@link TableSettings}. The target's key is what ClickHouse replaces
 * rows by, so its old value must be known for every change: a sorting column outside the replica identity is only
 * allowed under REPLICA IDENTITY FULL, whose old images carry every value; a key column cannot be left out.
 */
public final class TableSettingsCheck {

    private TableSettingsCheck() {
    }

    /** Why {@code source} cannot be mirrored exactly with {@code settings}, or empty. */
    public static Optional<String> problem(TableSettings settings, TableSchema source) {
        if (settings.isDefault()) {
            return Optional.empty();
        }
        for (String c : settings.orderBy()) {
            if (source.indexOf(c) < 0) {
                return Optional.of("order_by column " + c + " is not a column of " + source.table());
            }
        }
        // Under FULL a Relation message marks every column as key; the table's own key is then not visible.
        boolean everyColumnIsKey = source.keyColumns().size() == source.columns().size();
        if (!everyColumnIsKey || source.identity() != ReplicaIdentity.FULL) {
            for (String c : source.keyColumns()) {
                if (settings.excludeColumns().contains(c)) {
                    return Optional.of("exclude_columns names key column " + c + " of " + source.table()
                            + ": rows could no longer be told apart");
                }
            }
        }
        if (source.identity() != ReplicaIdentity.FULL) {
            for (String c : settings.orderBy()) {
                if (!source.keyColumns().contains(c)) {
                    return Optional.of("order_by column " + c + " is not in the replica identity of " + source.table()
                            + ": PostgreSQL does not send its old value, so a changed value would leave the old row in"
                            + " ClickHouse; run ALTER TABLE " + source.table() + " REPLICA IDENTITY FULL or remove "
                            + c + " from order_by");
                }
            }
        }
        return Optional.empty();
    }
}
