package io.echodb.core.port.out;

/**
 * The replication slot can never stream again: the server removed WAL it still needed (PostgreSQL invalidates a slot
 * that retains more than {@code max_slot_wal_keep_size}). Not transient: the engine creates the slot again
 * ({@link ChangeSource#recreateSlot}) and copies every mirror at a new consistent point.
 */
public final class SlotInvalidatedException extends RuntimeException {

    private SlotInvalidatedException(String message, Throwable cause) {
        super(message, cause);
    }

    public static SlotInvalidatedException of(String slot, Throwable cause) {
        return new SlotInvalidatedException("replication slot " + slot + " was invalidated: the server removed WAL it"
                + " still needed (" + (cause == null ? "no detail" : cause.getMessage()) + ")", cause);
    }
}
