package io.echodb.adapters.peerdb;

import io.echodb.core.model.MirrorSpec;
import io.echodb.core.port.in.MirrorEngineException;

/** PeerDB already has a mirror of that name that is not this spec's (another table, peers or mapping); fatal. */
public final class MirrorNameTakenException extends MirrorEngineException {

    private MirrorNameTakenException(String message) {
        super(message, null, false);
    }

    public static MirrorNameTakenException of(MirrorSpec wanted, String existing) {
        return new MirrorNameTakenException("mirror name '" + wanted.name() + "' for " + wanted.source() + " -> "
                + wanted.targetTable() + " is taken in PeerDB by " + existing);
    }
}
