package io.echodb.runner.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Result of the readiness checks: ready only when every check passed. */
public record ReadinessReport(Map<String, Check> checks) {

    /** One dependency or duty; {@code detail} says what was seen (never a secret). */
    public record Check(boolean ok, String detail) {
        public Check {
            Objects.requireNonNull(detail, "detail");
        }

        public static Check ok(String detail) {
            return new Check(true, detail);
        }

        public static Check failed(String detail) {
            return new Check(false, detail);
        }
    }

    public ReadinessReport {
        checks = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(checks));
    }

    public boolean ready() {
        return checks.values().stream().allMatch(Check::ok);
    }
}
