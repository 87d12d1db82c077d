package io.echodb.runner.config;

import io.echodb.runner.config.ConfigKey.ValueParser;
import io.echodb.runner.config.ConfigKey.ValueParser.Rejected;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Validating parsers for configuration values; each rejection reads naturally after {@code KEY='value'}. */
public final class Parsers {

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:\\-\\[\\]%]+");
    private static final Pattern PG_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern TOKEN_CHARS = Pattern.compile("[\\x21-\\x7e]+");

    private Parsers() {
    }

    public static ValueParser<Integer> integer(int min, int max) {
        return raw -> {
            String rule = "must be an integer " + min + ".." + max;
            try {
                int v = Integer.parseInt(raw.trim());
                if (v < min || v > max) {
                    throw new Rejected(rule);
                }
                return v;
            } catch (NumberFormatException e) {
                throw new Rejected(rule);
            }
        };
    }

    public static ValueParser<Long> longInteger(long min, long max) {
        return raw -> {
            String rule = "must be an integer " + min + ".." + max;
            try {
                long v = Long.parseLong(raw.trim());
                if (v < min || v > max) {
                    throw new Rejected(rule);
                }
                return v;
            } catch (NumberFormatException e) {
                throw new Rejected(rule);
            }
        };
    }

    public static ValueParser<Integer> port() {
        return integer(1, 65535);
    }

    /** Empty or 0 (meaning "same as another key", returned as 0) or a TCP port. */
    public static ValueParser<Integer> optionalPort() {
        return raw -> raw.isBlank() ? 0 : portOrOff().parse(raw);
    }

    /** Empty (none) or the path of a readable file. */
    public static ValueParser<String> optionalReadableFile() {
        return raw -> {
            String v = raw.trim();
            if (v.isEmpty()) {
                return "";
            }
            java.nio.file.Path path = java.nio.file.Path.of(v);
            if (!java.nio.file.Files.isRegularFile(path) || !java.nio.file.Files.isReadable(path)) {
                throw new Rejected("must be the path of a readable file (none found there)");
            }
            return v;
        };
    }

    /** A TCP port or 0 meaning "off". */
    public static ValueParser<Integer> portOrOff() {
        return integer(0, 65535);
    }

    /** Whole or fractional seconds ({@code 1.5}) within bounds, as a Duration. */
    public static ValueParser<Duration> seconds(double min, double max) {
        return raw -> {
            String rule = "must be a number of seconds " + trimNumber(min) + ".." + trimNumber(max);
            try {
                double v = Double.parseDouble(raw.trim());
                if (Double.isNaN(v) || v < min || v > max) {
                    throw new Rejected(rule);
                }
                return Duration.ofNanos(Math.round(v * 1_000_000_000d));
            } catch (NumberFormatException e) {
                throw new Rejected(rule);
            }
        };
    }

    public static ValueParser<Duration> millis(long min, long max) {
        return raw -> Duration.ofMillis(withRule(longInteger(min, max), "must be a number of milliseconds " + min + ".." + max).parse(raw));
    }

    public static ValueParser<Double> decimal(double min, double max) {
        return raw -> {
            String rule = "must be a number " + trimNumber(min) + ".." + trimNumber(max);
            try {
                double v = Double.parseDouble(raw.trim());
                if (Double.isNaN(v) || v < min || v > max) {
                    throw new Rejected(rule);
                }
                return v;
            } catch (NumberFormatException e) {
                throw new Rejected(rule);
            }
        };
    }

    public static ValueParser<Boolean> bool() {
        return raw -> switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new Rejected("must be true or false");
        };
    }

    /** One of the given lower-case words (case-insensitive input), returned lower-case. */
    public static ValueParser<String> oneOf(String... choices) {
        List<String> allowed = Arrays.asList(choices);
        return raw -> {
            String v = raw.trim().toLowerCase(Locale.ROOT);
            if (!allowed.contains(v)) {
                throw new Rejected("must be one of " + String.join("|", allowed));
            }
            return v;
        };
    }

    public static ValueParser<String> host() {
        return raw -> {
            String v = raw.trim();
            if (v.isEmpty() || !HOST.matcher(v).matches()) {
                throw new Rejected("must be a host name or IP address");
            }
            return v;
        };
    }

    /** Empty (meaning "same as another key") or a host. */
    public static ValueParser<String> optionalHost() {
        return raw -> raw.isBlank() ? "" : host().parse(raw);
    }

    /** An http(s) URL with a host. */
    public static ValueParser<String> httpUrl() {
        return raw -> {
            String v = raw.trim();
            try {
                URI uri = URI.create(v);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                    return v;
                }
            } catch (IllegalArgumentException e) {
                // reported below
            }
            throw new Rejected("must be an http(s)://host:port URL");
        };
    }

    public static ValueParser<String> nonBlank() {
        return raw -> {
            if (raw.isBlank()) {
                throw new Rejected("must not be empty");
            }
            return raw.trim();
        };
    }

    /** Any text, possibly empty; not trimmed (passwords may have spaces). */
    public static ValueParser<String> anyText() {
        return raw -> raw;
    }

    public static ValueParser<Secret> secret() {
        return raw -> Secret.of(raw);
    }

    /** A bearer token: empty (feature off) or at least 16 printable ASCII characters without spaces. */
    public static ValueParser<Secret> token() {
        return raw -> {
            String v = raw.trim();
            if (!v.isEmpty() && (v.length() < 16 || !TOKEN_CHARS.matcher(v).matches())) {
                throw new Rejected("must be empty or at least 16 printable characters without spaces");
            }
            return Secret.of(v);
        };
    }

    /** A lower-case PostgreSQL identifier usable unquoted (slot, publication and schema names). */
    public static ValueParser<String> pgIdentifier() {
        return raw -> {
            String v = raw.trim();
            if (!PG_IDENTIFIER.matcher(v).matches()) {
                throw new Rejected("must be a lower-case identifier matching " + PG_IDENTIFIER.pattern());
            }
            return v;
        };
    }

    /** A comma list of non-empty items (empty list allowed). */
    public static ValueParser<List<String>> commaList() {
        return raw -> Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public static ValueParser<List<String>> nonEmptyCommaList() {
        return raw -> {
            List<String> items = commaList().parse(raw);
            if (items.isEmpty()) {
                throw new Rejected("must list at least one name");
            }
            return items;
        };
    }

    /** Empty, or a {@code jdbc:clickhouse:} / {@code jdbc:ch:} URL. */
    public static ValueParser<Secret> clickHouseJdbcUrl() {
        return raw -> {
            String v = raw.trim();
            if (v.isEmpty()) {
                return Secret.of("");
            }
            String rest;
            if (v.startsWith("jdbc:clickhouse:")) {
                rest = v.substring("jdbc:clickhouse:".length());
            } else if (v.startsWith("jdbc:ch:")) {
                rest = v.substring("jdbc:ch:".length());
            } else {
                throw new Rejected("must be empty or a JDBC URL starting with jdbc:clickhouse: (or jdbc:ch:)");
            }
            if (!rest.startsWith("http://") && !rest.startsWith("https://") && !rest.startsWith("//")) {
                rest = "http:" + (rest.startsWith("//") ? rest : "//" + rest);
            }
            try {
                URI uri = URI.create(rest);
                if (uri.getHost() == null) {
                    throw new Rejected("must name a host, e.g. jdbc:clickhouse:http://host:8123/db");
                }
            } catch (IllegalArgumentException e) {
                throw new Rejected("must be a valid URL, e.g. jdbc:clickhouse:http://host:8123/db");
            }
            return Secret.ofUrl(v);
        };
    }

    /** Worker identity: 1..64 characters of letters, digits, {@code . _ : -}. */
    public static ValueParser<String> workerId() {
        Pattern p = Pattern.compile("[A-Za-z0-9._:\\-]{1,64}");
        return raw -> {
            String v = raw.trim();
            if (!p.matcher(v).matches()) {
                throw new Rejected("must be 1..64 characters of letters, digits, '.', '_', ':' or '-'");
            }
            return v;
        };
    }

    /** A lease name: 1..200 printable ASCII characters without spaces. */
    public static ValueParser<String> leaseName() {
        Pattern p = Pattern.compile("[\\x21-\\x7e]{1,200}");
        return raw -> {
            String v = raw.trim();
            if (!p.matcher(v).matches()) {
                throw new Rejected("must be 1..200 printable characters without spaces");
            }
            return v;
        };
    }

    public static ValueParser<String> logLevel() {
        return raw -> {
            String v = raw.trim().toUpperCase(Locale.ROOT);
            if (v.equals("WARNING")) {
                return "WARN"; // the seed was Python, whose level is spelled WARNING
            }
            if (v.equals("CRITICAL")) {
                return "ERROR";
            }
            if (!List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF").contains(v)) {
                throw new Rejected("must be one of TRACE|DEBUG|INFO|WARN|ERROR|OFF");
            }
            return v;
        };
    }

    /** Re-labels a parser's rejection. */
    public static <T> ValueParser<T> withRule(ValueParser<T> inner, String rule) {
        return raw -> {
            try {
                return inner.parse(raw);
            } catch (Rejected e) {
                throw new Rejected(rule);
            }
        };
    }

    private static String trimNumber(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
