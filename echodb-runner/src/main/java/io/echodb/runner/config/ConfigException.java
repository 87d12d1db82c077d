package io.echodb.runner.config;

/** A configuration value is missing or invalid; the message is one line naming the key and the rule it breaks. */
public final class ConfigException extends RuntimeException {

    private ConfigException(String message) {
        super(message);
    }

    /** {@code KEY='value' rule}, with the value masked when the key is a secret. */
    public static ConfigException invalid(String keyName, boolean secret, String rawValue, String rule) {
        String shown = secret ? Secret.MASK : oneLine(rawValue);
        return new ConfigException(keyName + "='" + shown + "' " + rule);
    }

    /** A rule that spans several keys, e.g. an interval that must be shorter than a TTL. */
    public static ConfigException conflict(String message) {
        return new ConfigException(oneLine(message));
    }

    /** Several problems of one source (e.g. a file), one line each. */
    public static ConfigException lines(java.util.List<String> lines) {
        return new ConfigException(String.join("\n", lines.stream().map(ConfigException::oneLine).toList()));
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
