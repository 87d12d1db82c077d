package io.echodb.runner.http;

/** The request named something that does not exist (a table, a mirror); answered with 404. */
public final class NotFoundException extends RuntimeException {

    private NotFoundException(String message) {
        super(message);
    }

    public static NotFoundException of(String what) {
        return new NotFoundException(what);
    }
}
