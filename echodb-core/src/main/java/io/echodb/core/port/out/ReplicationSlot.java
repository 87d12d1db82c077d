package io.echodb.core.port.out;

import io.echodb.core.change.Lsn;

/**
 * Driven: the source's one replication slot, which orders every change and is acknowledged only up to what is
 * written. Blocking; idempotent where noted; never returns null; connection failures throw
 * {@link SourceUnavailableException}.
 */
public interface ReplicationSlot {

    /** Creates the slot and publication if missing; returns the slot's confirmed position. Idempotent. */
    Lsn prepare();

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
