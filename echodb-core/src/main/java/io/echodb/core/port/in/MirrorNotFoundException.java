package io.echodb.core.port.in;

import io.echodb.core.model.MirrorName;

/** A command named a mirror the engine does not know. */
public final class MirrorNotFoundException extends MirrorEngineException {

    private MirrorNotFoundException(String message) {
        super(message, null, false);
    }

    public static MirrorNotFoundException of(MirrorName name) {
        return new MirrorNotFoundException("no mirror named '" + name + "'");
    }
}
