package io.echodb.core.service;

import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.out.SinkUnavailableException;
import io.echodb.core.port.out.SourceUnavailableException;

/** How the control plane classifies failures of the ports it calls. */
final class Failures {

    private Failures() {
    }

    /**
     * Retryable failures are transient (engine, source or target unreachable): the work is left unacknowledged and
     * tried again. Anything else is treated as fatal for the one table concerned, so a single poison table cannot
     * block the rest; the periodic sweep tries it again later.
     */
    static boolean isRetryable(RuntimeException e) {
        if (e instanceof MirrorEngineException m) {
            return m.isRetryable();
        }
        return e instanceof SourceUnavailableException || e instanceof SinkUnavailableException;
    }

    /** One line for metrics and logs: the message, or the type when there is none. */
    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
