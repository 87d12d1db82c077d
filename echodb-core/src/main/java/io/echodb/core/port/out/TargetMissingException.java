package io.echodb.core.port.out;

/**
 * The target table a write or read needs does not exist (any more): dropped behind the mirror's back, e.g. by a
 * deposed leader's late DDL. Not transient, and not a reason to stop the mirror: a copy creates the table again and
 * fills it.
 */
public final class TargetMissingException extends RuntimeException {

    private TargetMissingException(String message) {
        super(message);
    }

    public static TargetMissingException of(String target, String detail) {
        return new TargetMissingException("target table '" + target + "' does not exist: " + detail);
    }
}
