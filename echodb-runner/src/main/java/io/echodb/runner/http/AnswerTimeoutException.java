package io.echodb.runner.http;

import java.time.Duration;

/** A read the API serves could not be answered in time: what it waits on (PostgreSQL, ClickHouse, Redis) is slow or down. */
public final class AnswerTimeoutException extends RuntimeException {

    private AnswerTimeoutException(String message) {
        super(message);
    }

    static AnswerTimeoutException of(String what, Duration within) {
        return new AnswerTimeoutException(what + " did not answer within " + within.toMillis() + " ms: PostgreSQL,"
                + " ClickHouse or Redis is slow or unreachable (see /ready); try again");
    }
}
