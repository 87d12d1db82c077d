package io.echodb.core.port.out;

/** The source database could not be reached or refused the operation for a transient reason. */
public final class SourceUnavailableException extends RuntimeException {

    private SourceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public static SourceUnavailableException of(String what, Throwable cause) {
        return new SourceUnavailableException("source unavailable while trying to " + what + ": "
                + (cause == null ? "unknown cause" : cause.getMessage()), cause);
    }
}
