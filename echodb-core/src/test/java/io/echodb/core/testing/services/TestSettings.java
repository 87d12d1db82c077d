package io.echodb.core.testing.services;

import java.util.Locale;

/** Reads a test setting from an environment variable, or else from the matching system property. */
public final class TestSettings {
    private TestSettings() {
    }

    /** {@code ENV_NAME} from the environment, else the system property {@code env.name}; null when neither is set. */
    public static String get(String env) {
        String v = System.getenv(env);
        if (v == null) {
            v = System.getProperty(env.toLowerCase(Locale.ROOT).replace('_', '.'));
        }
        return v;
    }
}
