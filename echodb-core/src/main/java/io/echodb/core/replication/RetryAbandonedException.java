package io.echodb.core.replication;

/** A retry loop gave up because the engine is stopping or the work it retried is no longer wanted. */
final class RetryAbandonedException extends RuntimeException {

    RetryAbandonedException(String what, Throwable cause) {
        super("gave up retrying to " + what, cause);
    }
}
