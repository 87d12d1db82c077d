package io.echodb.core.port.out;

/** The target could not be reached or refused a write for a transient reason; the engine retries. */
public final class SinkUnavailableException extends RuntimeException {

    private SinkUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public static SinkUnavailableException of(String what, Throwable cause) {
        return new SinkUnavailableException("target unavailable while trying to " + what + ": "
                + (cause == null ? "unknown cause" : cause.getMessage()), cause);
    }
}
