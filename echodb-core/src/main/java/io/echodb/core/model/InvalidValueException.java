package io.echodb.core.model;

/** A value given to the domain breaks a rule; the message names the field and the offending value. */
public final class InvalidValueException extends IllegalArgumentException {

    private InvalidValueException(String message) {
        super(message);
    }

    public static InvalidValueException of(String field, Object value, String rule) {
        return new InvalidValueException("invalid " + field + " '" + value + "': " + rule);
    }
}
