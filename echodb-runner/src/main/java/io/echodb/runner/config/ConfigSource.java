package io.echodb.runner.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Raw configuration text: the process environment first, then an optional {@code .env} file
 * (path from {@code ECHODB_ENV_FILE}, else {@code ./.env} when present). The real environment always wins.
 */
public final class ConfigSource {

    public static final String ENV_FILE_KEY = "ECHODB_ENV_FILE";

    /** Where a value came from, for the start-up summary. */
    public enum Origin { ENVIRONMENT, ENV_FILE, DEFAULT }

    /** A raw value and where it came from; {@code name} is the key or alias actually set. */
    public record Raw(String name, String value, Origin origin) { }

    private final Map<String, String> env;
    private final Map<String, String> file;
    private final Path filePath;

    private ConfigSource(Map<String, String> env, Map<String, String> file, Path filePath) {
        this.env = Map.copyOf(env);
        this.file = Map.copyOf(file);
        this.filePath = filePath;
    }

    /**
     * Reads the file named by {@code ECHODB_ENV_FILE} (an error if it is missing), or {@code workingDir/.env} when it
     * exists, then layers {@code env} on top.
     */
    public static ConfigSource load(Map<String, String> env, Path workingDir) {
        String explicit = env.get(ENV_FILE_KEY);
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit.trim());
            if (!Files.isRegularFile(p)) {
                throw ConfigException.conflict(ENV_FILE_KEY + "='" + explicit.trim() + "' must name a readable file");
            }
            return new ConfigSource(env, DotEnvFile.read(p), p);
        }
        Path implicit = workingDir.resolve(".env");
        if (Files.isRegularFile(implicit)) {
            return new ConfigSource(env, DotEnvFile.read(implicit), implicit);
        }
        return new ConfigSource(env, Map.of(), null);
    }

    /** A source over explicit values only (tests, embedding). */
    public static ConfigSource of(Map<String, String> values) {
        return new ConfigSource(values, Map.of(), null);
    }

    public Optional<Path> envFile() {
        return Optional.ofNullable(filePath);
    }

    /** The key's raw text: environment (name, then aliases), then the file (name, then aliases); empty when unset. */
    public Optional<Raw> lookup(ConfigKey<?> key) {
        for (Map<String, String> layer : new Map[] {env, file}) {
            Origin origin = layer == env ? Origin.ENVIRONMENT : Origin.ENV_FILE;
            if (layer.containsKey(key.name())) {
                return Optional.of(new Raw(key.name(), layer.get(key.name()), origin));
            }
            for (String alias : key.aliases()) {
                if (layer.containsKey(alias)) {
                    return Optional.of(new Raw(alias, layer.get(alias), origin));
                }
            }
        }
        return Optional.empty();
    }
}
