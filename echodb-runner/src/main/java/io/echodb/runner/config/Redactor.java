package io.echodb.runner.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Removes secret values from text that leaves the process (HTTP responses, log lines): every configured secret is
 * replaced by {@value Secret#MASK}, and credentials inside URLs are masked. The process-wide instance is filled at
 * start-up so the logging layer can use it too.
 */
public final class Redactor {

    /** Shorter secrets are not searched for: replacing every "ab" in a message would garble it and reveal little. */
    static final int MIN_SECRET_LENGTH = 4;

    private static final Redactor GLOBAL = new Redactor();

    private final List<String> secrets = new CopyOnWriteArrayList<>();
    private final Set<String> publicValues = ConcurrentHashMap.newKeySet();

    public static Redactor global() {
        return GLOBAL;
    }

    /** Registers the secrets of {@code config} (idempotent). */
    public Redactor register(EchoDbConfig config) {
        publicValues.addAll(List.of(config.postgres().user(), config.postgres().database(), config.postgres().host(),
                config.clickhouse().user(), config.clickhouse().database(), config.clickhouse().host(),
                config.peerdb().user(), config.leadership().workerId(), "echodb"));
        register(config.postgres().password(), ConfigKeys.POSTGRES_PASSWORD);
        register(config.clickhouse().password(), ConfigKeys.CLICKHOUSE_PASSWORD);
        register(config.clickhouse().url(), ConfigKeys.CLICKHOUSE_URL);
        register(config.peerdb().password(), ConfigKeys.PEERDB_PASSWORD);
        register(config.leadership().redisPassword(), ConfigKeys.REDIS_PASSWORD);
        register(config.http().adminToken(), ConfigKeys.ADMIN_TOKEN);
        register(config.peerdb().flowApiToken(), ConfigKeys.PEERDB_FLOW_API_TOKEN);
        register(config.peerdb().staging().secretAccessKey(), ConfigKeys.PEERDB_S3_SECRET_ACCESS_KEY);
        return this;
    }

    /**
     * A value still equal to its published default (the seed's "password"), or to a name shown anyway (a user, a
     * database, the project's name), is no secret: masking that word would only garble messages such as
     * "password authentication failed" or package names. It is left alone.
     */
    private void register(Secret secret, ConfigKey<?> key) {
        if (!secret.reveal().equals(key.defaultValue()) && !publicValues.contains(secret.reveal())) {
            register(secret);
        }
    }

    public void register(Secret secret) {
        String v = secret.reveal();
        if (v.length() >= MIN_SECRET_LENGTH && !secrets.contains(v)) {
            List<String> sorted = new ArrayList<>(secrets);
            sorted.add(v);
            // longest first, so a secret containing another is masked whole
            sorted.sort(Comparator.comparingInt(String::length).reversed());
            secrets.clear();
            secrets.addAll(sorted);
        }
    }

    /** {@code text} with secrets and URL credentials masked; null stays null. */
    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String s : secrets) {
            if (out.contains(s)) {
                out = out.replace(s, Secret.MASK);
            }
        }
        if (out.indexOf("://") >= 0 || out.indexOf('=') >= 0) {
            out = Secret.maskUrl(out);
        }
        return out;
    }
}
