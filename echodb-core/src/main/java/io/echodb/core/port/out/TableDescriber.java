package io.echodb.core.port.out;

import io.echodb.core.model.TableRef;
import io.echodb.core.schema.TableSchema;
import java.util.Optional;

/** Driven query: a source table's current shape; blocking; empty when the table does not exist, never null. */
public interface TableDescriber {

    /** The table's current shape, or empty when it does not exist. */
    Optional<TableSchema> describe(TableRef table);
}
