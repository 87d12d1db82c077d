package io.echodb.runner.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A value that must never be shown: {@link #toString()} masks it, so records holding one can be logged safely.
 * Read it with {@link #reveal()} only where it is handed to a driver. URLs keep their shape with credentials masked.
 */
public final class Secret {

    public static final String MASK = "****";

    private static final Pattern USERINFO_PASSWORD = Pattern.compile("(//[^/?#@:]*):[^/?#@]*@");
    private static final Pattern SECRET_PARAMS = Pattern.compile(
            "(?i)((?:^|[?&;\\s,(])(?:password|passwd|pass|pwd|secret|token|access_token|api_key|apikey|key|ssl_key|sslpassword)=)[^&;#\\s,)]*");

    private final String value;
    private final boolean url;

    private Secret(String value, boolean url) {
        this.value = Objects.requireNonNull(value, "value");
        this.url = url;
    }

    public static Secret of(String value) {
        return new Secret(value == null ? "" : value, false);
    }

    /** A URL that may carry credentials: shown with user-info passwords and secret parameters masked. */
    public static Secret ofUrl(String value) {
        return new Secret(value == null ? "" : value, true);
    }

    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public String toString() {
        if (value.isEmpty()) {
            return "";
        }
        return url ? maskUrl(value) : MASK;
    }

    /** Masks passwords in user-info ({@code //user:pw@}) and in secret-looking query parameters. */
    public static String maskUrl(String url) {
        String s = USERINFO_PASSWORD.matcher(url).replaceAll("$1:" + MASK + "@");
        return SECRET_PARAMS.matcher(s).replaceAll("$1" + MASK);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
