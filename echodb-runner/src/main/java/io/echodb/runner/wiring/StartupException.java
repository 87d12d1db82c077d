package io.echodb.runner.wiring;

/** EchoDB cannot start with the given configuration or environment; the message says what to do about it. */
public final class StartupException extends RuntimeException {

    private StartupException(String message, Throwable cause) {
        super(message, cause);
    }

    public static StartupException of(String message) {
        return new StartupException(message, null);
    }

    public static StartupException of(String message, Throwable cause) {
        return new StartupException(message, cause);
    }
}
