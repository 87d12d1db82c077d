package io.echodb.core.port.out;

import io.echodb.core.model.TableRef;
import io.echodb.core.schema.TableSchema;
import java.util.Optional;

/**
 * Driven: which tables the slot streams, and what their changes carry. Blocking; idempotent; never returns null;
 * throws {@link TableNotPublishableException} when the source refuses for a reason the user must fix.
 */
public interface TablePublication {

    /**
     * Adds the table (not its inheritance children) to the publication. Idempotent. Throws
     * {@link TableNotPublishableException} when publishing it would make the application's UPDATE or DELETE fail.
     */
    void publish(TableRef table);

    /**
     * Removes one relation from the publication: the one with {@code relationId}, under whatever name it has now (a
     * renamed table keeps its relation), or the table named {@code table} when {@code relationId} is 0. Idempotent.
     */
    void unpublish(TableRef table, long relationId);

    /**
     * Makes a key-less table's updates and deletes carry whole old rows (PostgreSQL: REPLICA IDENTITY FULL) and returns
     * its shape afterwards (empty when it no longer exists). Throws {@link TableNotPublishableException} naming the
     * reason when the source refuses (e.g. the user may not alter the table).
     */
    Optional<TableSchema> useFullReplicaIdentity(TableRef table);
}
