package io.echodb.core.port.out;

import io.echodb.core.model.TableRef;
import io.echodb.core.schema.TableSchema;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Driven query: lists and describes source tables; blocking; never returns null. */
public interface SourceCatalog extends TableDescriber {

    /** Ordinary and partitioned-root tables of the given schemas (partitions and the engine's own tables excluded), sorted. */
    List<TableRef> listTables(Set<String> schemas);
}
