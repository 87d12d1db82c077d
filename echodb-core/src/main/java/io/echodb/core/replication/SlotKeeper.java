package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.port.out.ReplicationSlot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's view of its one replication slot and publication: prepared once before the first mirror needs them,
 * dropped when the last mirror is gone (again and again until the source lets it: a slot left behind pins WAL
 * forever), created again when the server invalidated it. Engine lock.
 */
final class SlotKeeper {

    private static final Logger LOG = LoggerFactory.getLogger(SlotKeeper.class);

    private final ReplicationSlot source;
    private final EngineListener listener;
    private boolean prepared;
    private Lsn position = Lsn.ZERO;
    private boolean teardownPending;

    SlotKeeper(ReplicationSlot source, EngineListener listener) {
        this.source = source;
        this.listener = listener;
    }

    /** Creates the slot and publication unless this engine already did. */
    void ensurePrepared() {
        if (!prepared) {
            position = source.prepare();
            prepared = true;
            teardownPending = false;
        }
    }

    /** The slot's confirmed position as of its preparation (zero when unknown). */
    Lsn position() {
        return position;
    }

    /** At start with no mirror: a crash between removing the last mirror and dropping the slot left it behind. */
    void teardownIfLeftBehind(boolean noMirrors) {
        teardownPending = noMirrors;
    }

    /** No mirror is left: drops the slot and publication now if this engine owes that. */
    void teardownIfPending() {
        if (teardownPending) {
            teardown();
        }
    }

    /** Drops the slot and publication; on failure tries again at the next {@link #teardownIfPending}. */
    void teardown() {
        try {
            source.teardown();
            prepared = false;
            teardownPending = false;
            position = Lsn.ZERO;
            LOG.info("no mirrors left: replication slot and publication dropped");
        } catch (RuntimeException e) {
            teardownPending = true;
            LOG.warn("could not drop the replication slot and publication yet (will retry): {}", e.toString());
            listener.error(null, "drop the replication slot", e);
        }
    }

    /** The server invalidated the slot: creates it again; returns its new position. */
    Lsn recreate() {
        position = source.recreateSlot();
        return position;
    }
}
