package io.echodb.core.port.out;

import io.echodb.core.model.TableRef;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;

/** Driven query: lists and describes source tables; blocking; never returns null. */
public interface SourceCatalog extends TableDescriber {

    /**
     * Ordinary and partitioned-root tables of the given schemas (partitions and the engine's own tables excluded),
     * sorted, each with its relation id as {@link io.echodb.core.schema.TableSchema#relationId} describes it (the id a
     * renamed table keeps and a table created again does not; 0 when the source has no such identity).
     */
    SortedMap<TableRef, Long> listRelations(Set<String> schemas);

    /** The tables {@link #listRelations} lists, sorted. */
    default List<TableRef> listTables(Set<String> schemas) {
        return List.copyOf(listRelations(schemas).keySet());
    }
}
