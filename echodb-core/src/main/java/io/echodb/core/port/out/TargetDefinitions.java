package io.echodb.core.port.out;

import io.echodb.core.schema.TableSchema;
import java.util.Map;

/**
 * Driven: the target's tables themselves — created, evolved, renamed, dropped. Blocking; never returns null;
 * transient failures throw {@link SinkUnavailableException}.
 */
public interface TargetDefinitions {

    /** Creates the target table for {@code schema} or alters it (adds new columns); never drops data. */
    SchemaSync ensureTable(String target, TableSchema schema);

    /**
     * {@link #ensureTable(String, TableSchema)} for a table laid out as {@code layout} says; the sorting key is
     * {@code schema}'s key in its order. The layout applies when the table is created; an existing table keeps its
     * own. A sink that cannot lay tables out so gives {@link SchemaSync.Incompatible}.
     */
    default SchemaSync ensureTable(String target, TableSchema schema, TargetLayout layout) {
        if (!layout.isDefault()) {
            return new SchemaSync.Incompatible("this sink cannot lay out tables as " + layout);
        }
        return ensureTable(target, schema);
    }

    /**
     * For a target created with hard deletes: whether deleted rows may be removed physically now. Off while a copy
     * runs (a copied row older than a removed deletion would come back), on once the target holds the whole copy.
     */
    default void allowPurge(String target, boolean allowed) {
        throw new UnsupportedOperationException("this sink does not remove deleted rows");
    }

    /**
     * Whether the existing target stores every column of {@code schema} in the type a fresh table for it would get.
     * False after type changes the target could hold without altering (e.g. a String column kept for what is now a
     * timestamp): such a table is exact but not what users (and checksums) expect, so a copy rebuilds it. Default:
     * true (sinks without type drift).
     */
    default boolean isCanonicalFor(String target, TableSchema schema) {
        return true;
    }

    /**
     * Renames a target table, keeping its rows. True when {@code to} holds the table afterwards (also when an earlier
     * attempt already renamed it); false, changing nothing, when it cannot: {@code to} exists besides {@code from}, or
     * neither exists. Default: false (sinks that cannot rename).
     */
    default boolean renameTable(String from, String to) {
        return false;
    }

    /**
     * Renames columns of a target table ({@code renames}: old → new), keeping their values. True when the table has
     * the new names afterwards (also when an earlier attempt renamed them); false, changing nothing, when it cannot:
     * an old name missing while its new name is missing too, or both present. Default: false.
     */
    default boolean renameColumns(String target, Map<String, String> renames) {
        return false;
    }

    /** Drops the target table. Idempotent. */
    void drop(String target);
}
