import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Structural check of compose/docker-compose.yml for machines without Docker Compose (run by compose/validate.sh with
 * SnakeYAML on the classpath). Not a replacement for {@code docker compose config}: it checks what this stack relies
 * on. Interpolation uses .env.example (so every ${VAR} must have a default or be listed there); then: every service
 * has an image; depends_on, volumes and YAML anchors resolve; published host ports are unique per profile set;
 * the services, health checks and profiles the stack promises are there; every variable the workers get is a
 * documented runner key (ConfigKeys.java) or listed in .env.example; and every .env.example variable is used.
 *
 * <p>Usage: {@code java -cp snakeyaml.jar ComposeCheck.java compose/docker-compose.yml compose/.env.example
 * [echodb-runner/src/main/java/io/echodb/runner/config/ConfigKeys.java]}
 */
public final class ComposeCheck {

    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-?])([^}]*))?}");
    private static final List<String> CORE = List.of("postgres", "clickhouse", "redis", "echodb-worker-1", "echodb-worker-2");
    private static final List<String> PEERDB = List.of("catalog", "temporal", "temporal-admin-tools", "temporal-ui", "minio",
            "flow-api", "flow-snapshot-worker", "flow-worker", "peerdb", "peerdb-ui");
    private static final List<String> MONITORING = List.of("prometheus", "grafana");
    /** Variables of the compose file itself (not runner keys) that the workers may receive. */
    private static final Set<String> NON_RUNNER_WORKER_VARS = Set.of("JAVA_OPTS");

    private final List<String> errors = new ArrayList<>();
    private Path composeDir;

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: ComposeCheck <docker-compose.yml> <.env.example> [ConfigKeys.java]");
            System.exit(2);
        }
        ComposeCheck check = new ComposeCheck();
        check.run(Path.of(args[0]), Path.of(args[1]), args.length > 2 ? Path.of(args[2]) : null);
        if (!check.errors.isEmpty()) {
            check.errors.forEach(e -> System.err.println("compose check: " + e));
            System.exit(1);
        }
        System.out.println("compose check: OK (" + args[0] + ")");
    }

    @SuppressWarnings("unchecked")
    private void run(Path composeFile, Path envFile, Path configKeys) throws IOException {
        composeDir = composeFile.toAbsolutePath().getParent();
        Map<String, String> env = readEnv(envFile);
        String raw = Files.readString(composeFile);
        Set<String> used = new TreeSet<>();
        String interpolated = interpolate(raw, env, used);

        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Map<String, Object> root = (Map<String, Object>) new Yaml(new SafeConstructor(options)).load(interpolated);
        Map<String, Object> services = map(root.get("services"), "services");
        Map<String, Object> volumes = root.get("volumes") == null ? Map.of() : map(root.get("volumes"), "volumes");

        for (String s : CORE) {
            require(services.containsKey(s), "service '" + s + "' is missing");
        }
        for (String s : PEERDB) {
            require(services.containsKey(s), "PeerDB service '" + s + "' is missing");
        }
        for (String s : MONITORING) {
            require(services.containsKey(s), "monitoring service '" + s + "' is missing");
        }
        Map<String, Set<String>> portsByProfile = new HashMap<>();
        for (var e : services.entrySet()) {
            checkService(e.getKey(), map(e.getValue(), e.getKey()), services, volumes, portsByProfile);
        }
        checkWorkers(services, env, configKeys);
        for (String name : env.keySet()) {
            require(used.contains(name), ".env.example documents " + name + " but docker-compose.yml never uses it");
        }
    }

    @SuppressWarnings("unchecked")
    private void checkService(String name, Map<String, Object> svc, Map<String, Object> services,
                              Map<String, Object> volumes, Map<String, Set<String>> portsByProfile) {
        require(svc.get("image") instanceof String || svc.containsKey("build"), name + ": needs image or build");
        List<String> profiles = svc.get("profiles") == null ? List.of() : (List<String>) svc.get("profiles");
        boolean core = CORE.contains(name);
        List<String> expected = core ? List.of() : MONITORING.contains(name) ? List.of("monitoring") : List.of("peerdb");
        require(profiles.equals(expected), name + ": profiles must be " + (core ? "none" : expected) + ", is " + profiles);
        if (core) {
            Object hc = svc.get("healthcheck");
            require(hc instanceof Map && ((Map<String, Object>) hc).get("test") != null, name + ": needs a healthcheck");
        }
        Object deps = svc.get("depends_on");
        Iterable<String> depNames = deps instanceof Map ? ((Map<String, Object>) deps).keySet()
                : deps instanceof List ? (List<String>) deps : List.of();
        for (String d : depNames) {
            require(services.containsKey(d), name + ": depends_on unknown service '" + d + "'");
            if (services.get(d) instanceof Map && core) {
                Object p = ((Map<String, Object>) services.get(d)).get("profiles");
                require(p == null, name + ": depends on '" + d + "', which only exists in a profile");
            }
            if (deps instanceof Map && ((Map<String, Object>) deps).get(d) instanceof Map cond
                    && "service_healthy".equals(cond.get("condition"))) {
                Object target = services.get(d);
                require(target instanceof Map && ((Map<String, Object>) target).get("healthcheck") != null,
                        name + ": waits for '" + d + "' to be healthy, but it has no healthcheck");
            }
        }
        Object vols = svc.get("volumes");
        if (vols instanceof List<?> list) {
            for (Object v : list) {
                String source = String.valueOf(v).split(":")[0];
                if (!source.startsWith(".") && !source.startsWith("/")) {
                    require(volumes.containsKey(source), name + ": named volume '" + source + "' is not declared");
                } else if (source.startsWith(".")) {
                    require(java.nio.file.Files.exists(composeDir.resolve(source).normalize()),
                            name + ": mounts " + source + ", which does not exist next to docker-compose.yml");
                }
            }
        }
        Object ports = svc.get("ports");
        if (ports instanceof List<?> list) {
            String key = String.join(",", profiles);
            for (Object p : list) {
                String[] parts = String.valueOf(p).split(":");
                require(parts.length == 3, name + ": publish ports as ADDRESS:HOST:CONTAINER, got " + p);
                String hostPort = parts.length == 3 ? parts[1] : String.valueOf(p);
                require(hostPort.matches("\\d{1,5}"), name + ": host port '" + hostPort + "' is not a number");
                for (var other : portsByProfile.entrySet()) {
                    if (other.getKey().isEmpty() || key.isEmpty() || other.getKey().equals(key)) {
                        require(!other.getValue().contains(hostPort), name + ": host port " + hostPort + " is published twice");
                    }
                }
                portsByProfile.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(hostPort);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void checkWorkers(Map<String, Object> services, Map<String, String> env, Path configKeys) throws IOException {
        Set<String> runnerKeys = new TreeSet<>();
        if (configKeys != null && Files.exists(configKeys)) {
            Matcher m = Pattern.compile("[kK]ey\\(\"([A-Z0-9_]+)\"").matcher(Files.readString(configKeys));
            while (m.find()) {
                runnerKeys.add(m.group(1));
            }
        }
        Map<String, String> ids = new LinkedHashMap<>();
        for (String w : List.of("echodb-worker-1", "echodb-worker-2")) {
            Map<String, Object> svc = map(services.get(w), w);
            Map<String, Object> envs = map(svc.get("environment"), w + ".environment");
            ids.put(w, String.valueOf(envs.get("WORKER_ID")));
            require("redis".equals(String.valueOf(envs.get("LEADERSHIP"))), w + ": LEADERSHIP must default to redis");
            require("native".equals(String.valueOf(envs.get("MIRROR_ENGINE"))), w + ": MIRROR_ENGINE must default to native");
            for (String k : envs.keySet()) {
                boolean known = runnerKeys.isEmpty() || runnerKeys.contains(k) || env.containsKey(k)
                        || NON_RUNNER_WORKER_VARS.contains(k);
                require(known, w + ": passes " + k + ", which is neither a runner key nor documented in .env.example");
            }
        }
        require(new LinkedHashSet<>(ids.values()).size() == ids.size(), "workers need distinct WORKER_IDs: " + ids);
    }

    /** ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}; $$ is a literal $. Values from .env.example. */
    private String interpolate(String raw, Map<String, String> env, Set<String> used) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            if (c == '$' && i + 1 < raw.length() && raw.charAt(i + 1) == '$') {
                out.append('$');
                i += 2;
                continue;
            }
            if (c == '$' && i + 1 < raw.length() && raw.charAt(i + 1) == '{') {
                Matcher m = VAR.matcher(raw).region(i, raw.length());
                if (!m.lookingAt()) {
                    errors.add("bad interpolation at offset " + i + ": " + raw.substring(i, Math.min(raw.length(), i + 40)));
                    i += 2;
                    continue;
                }
                String name = m.group(1);
                used.add(name);
                String op = m.group(2);
                boolean colon = raw.startsWith("${" + name + ":", i);
                String value = env.get(name);
                if (value == null || colon && value.isEmpty()) {
                    if ("-".equals(op)) {
                        value = m.group(3);
                    } else if ("?".equals(op)) {
                        errors.add("${" + name + "} is required: " + m.group(3));
                        value = "";
                    } else if (value == null) {
                        errors.add("${" + name + "} has no default and is not in .env.example");
                        value = "";
                    }
                }
                out.append(value);
                i = m.end();
                continue;
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static Map<String, String> readEnv(Path file) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            int eq = t.indexOf('=');
            if (eq > 0) {
                env.put(t.substring(0, eq).strip(), t.substring(eq + 1).strip());
            }
        }
        return env;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(Object o, String what) {
        if (o instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        errors.add(what + " must be a mapping");
        return Map.of();
    }

    private void require(boolean ok, String message) {
        if (!ok) {
            errors.add(message);
        }
    }
}
