package io.echodb.runner.http;

/** The API's job queue is full: the request is refused at once rather than left waiting. */
public final class JobsBusyException extends RuntimeException {

    private JobsBusyException(String message) {
        super(message);
    }

    static JobsBusyException of(int pending) {
        return new JobsBusyException("too many commands and checks in progress (" + pending + "): try again when"
                + " some have finished (GET /commands lists them)");
    }
}
