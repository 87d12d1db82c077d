package io.echodb.core.port.in;

/** A mirror engine failed to do what was asked; {@code retryable} tells whether trying again may help. */
public class MirrorEngineException extends RuntimeException {

    private final boolean retryable;

    protected MirrorEngineException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    public static MirrorEngineException retryable(String message, Throwable cause) {
        return new MirrorEngineException(message, cause, true);
    }

    public static MirrorEngineException fatal(String message, Throwable cause) {
        return new MirrorEngineException(message, cause, false);
    }

    public boolean isRetryable() {
        return retryable;
    }
}
