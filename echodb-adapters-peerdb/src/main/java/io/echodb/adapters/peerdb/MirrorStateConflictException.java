package io.echodb.adapters.peerdb;

import io.echodb.core.model.MirrorName;
import io.echodb.core.port.in.MirrorEngineException;

/** PeerDB cannot do the requested change from the mirror's current state (it would silently ignore it); fatal. */
public final class MirrorStateConflictException extends MirrorEngineException {

    private MirrorStateConflictException(String message) {
        super(message, null, false);
    }

    public static MirrorStateConflictException of(MirrorName name, String action, PeerDbFlowStatus current, String allowed) {
        return new MirrorStateConflictException("cannot " + action + " mirror '" + name + "': PeerDB reports "
                + current.wireName() + " and only " + action + "s a mirror that is " + allowed);
    }
}
