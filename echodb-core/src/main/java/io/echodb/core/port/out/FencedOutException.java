package io.echodb.core.port.out;

/**
 * This worker is no longer the leader whose writes may take effect (I4): its lease ended, or a newer leader (a higher
 * fencing token) has claimed the state. Never transient for the worker that gets it: it must stop writing.
 */
public final class FencedOutException extends RuntimeException {

    private FencedOutException(String message) {
        super(message);
    }

    /** The leadership gate closed: this worker's lease ended (or it stalled past it). */
    public static FencedOutException gateClosed(String what) {
        return new FencedOutException("cannot " + what + ": this worker is no longer the leader");
    }

    /** A newer leader claimed the state: {@code token} is older than {@code current}. */
    public static FencedOutException superseded(String what, long token, long current) {
        return new FencedOutException("cannot " + what + ": fencing token " + token
                + " was superseded by a newer leader's token " + current);
    }
}
