package io.echodb.core.port;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.TableSchema;
import java.util.Optional;

/**
 * Inbound: the PostgreSQL side of the native engine — one publication and one slot. Blocking; idempotent where
 * noted; never returns null. Connection failures throw {@link SourceUnavailableException}.
 */
public interface ChangeSource {

    /** Creates the slot and publication if missing; returns the slot's confirmed position. Idempotent. */
    Lsn prepare();

    /**
     * Adds the table (not its inheritance children) to the publication. Idempotent. Throws
     * {@link TableNotPublishableException} when publishing it would make the application's UPDATE or DELETE fail.
     */
    void publish(TableRef table);

    /** Removes the table from the publication. Idempotent. */
    void unpublish(TableRef table);

    /** The table's current shape, or empty when it does not exist. */
    Optional<TableSchema> describe(TableRef table);

    /**
     * Makes a key-less table's updates and deletes carry whole old rows (PostgreSQL: REPLICA IDENTITY FULL) and returns
     * its shape afterwards (empty when it no longer exists). Blocking; throws {@link TableNotPublishableException}
     * naming the reason when the source refuses (e.g. the user may not alter the table).
     */
    Optional<TableSchema> useFullReplicaIdentity(TableRef table);

    /** Opens an exported snapshot whose consistent point orders it against the stream. */
    SnapshotSession openSnapshot();

    /**
     * Streams changes of published tables from the slot's confirmed position (never before {@code from}). Throws
     * {@link SlotInvalidatedException} when the slot can never stream again.
     */
    ChangeStream openStream(Lsn from);

    /**
     * Drops the slot (invalidated, see {@link SlotInvalidatedException}) and creates it again at the server's current
     * position, which it returns; the publication stays. Changes between the old slot's position and the new one are
     * gone: every mirror must be copied again.
     */
    Lsn recreateSlot();

    /** Bytes of WAL the slot retains beyond its confirmed position (0 when unknown). */
    long lagBytes();

    /** The server's current WAL write position. */
    Lsn currentLsn();

    /** Drops the slot and the publication. Idempotent. */
    void teardown();
}
