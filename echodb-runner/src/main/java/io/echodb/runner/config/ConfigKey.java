package io.echodb.runner.config;

import java.util.List;
import java.util.Objects;

/**
 * One configuration key: its environment variable name (plus older aliases), default, description, whether the
 * value is secret, and the parser that validates it. {@code defaultValue} is the raw text used when the key is unset
 * ({@code ""} means "empty"; {@code null} means "computed at start-up", described in {@code defaultDescription}).
 */
public record ConfigKey<T>(
        String name,
        List<String> aliases,
        String area,
        String defaultValue,
        String defaultDescription,
        String description,
        boolean secret,
        ValueParser<T> parser) {

    /** Turns raw text into a typed value or throws {@link ValueParser.Rejected} with the broken rule. */
    @FunctionalInterface
    public interface ValueParser<T> {
        T parse(String raw) throws Rejected;

        /** The rule a raw value broke, phrased to follow {@code KEY='value'}, e.g. "must be an integer 1..65535". */
        final class Rejected extends Exception {
            public Rejected(String rule) {
                super(rule, null, false, false);
            }
        }
    }

    public ConfigKey {
        Objects.requireNonNull(name, "name");
        aliases = List.copyOf(aliases);
        Objects.requireNonNull(area, "area");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parser, "parser");
    }

    /** Parses {@code raw}, or reports the key, the (masked) value and the rule in one line. */
    public T parse(String raw) {
        return parse(raw, name);
    }

    /** As {@link #parse(String)}, naming {@code nameUsed} (an alias) in the error. */
    public T parse(String raw, String nameUsed) {
        try {
            return parser.parse(raw);
        } catch (ValueParser.Rejected e) {
            throw ConfigException.invalid(nameUsed, secret, raw, e.getMessage());
        }
    }

    /** The default as shown to people: the raw default, or how it is computed. */
    public String shownDefault() {
        return defaultValue == null ? defaultDescription : defaultValue;
    }
}
