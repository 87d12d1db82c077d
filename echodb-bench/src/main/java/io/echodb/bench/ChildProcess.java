package io.echodb.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a measured program in its own process, so its memory and CPU are its own: a JVM with the harness's class
 * path, or a native tool. Output goes to files under the log directory; a line {@code BENCH-RESULT k=v k=v …} on
 * standard output is the program's answer.
 */
final class ChildProcess {

    static final String RESULT_PREFIX = "BENCH-RESULT ";
    /** Heap of every measured JVM (EchoDB and Debezium alike). */
    static final String CHILD_HEAP = "-Xmx1g";

    private ChildProcess() {
    }

    /** Exit code, wall time and parsed result of one run. */
    record Outcome(int exitCode, long wallNanos, Map<String, String> result, Path stdout, Path stderr) {
        long num(String key) {
            String v = result.get(key);
            if (v == null) {
                throw new IllegalStateException("no '" + key + "' in the result of " + stdout + ": " + result);
            }
            return Long.parseLong(v);
        }
    }

    static Outcome java(String name, Class<?> main, List<String> args, Map<String, String> env, Duration timeout) {
        return java(name, main, args, env, timeout, System.getProperty("java.class.path"));
    }

    /**
     * The harness's class path with the PostgreSQL driver replaced by the one in {@code target/peer-lib}: Debezium
     * calls pgjdbc API that is newer than the version EchoDB pins, so only the Debezium process gets that driver.
     */
    static String peerClassPath() {
        Path lib = Path.of("target", "peer-lib").toAbsolutePath();
        Path driver;
        try (var files = Files.list(lib)) {
            driver = files.filter(p -> p.getFileName().toString().startsWith("postgresql-")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL driver in " + lib + "; build with bench/run.sh"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + lib + " (build with bench/run.sh): " + e.getMessage(), e);
        }
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            entries.add(e.contains("/org/postgresql/postgresql/") ? driver.toString() : e);
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    static Outcome java(String name, Class<?> main, List<String> args, Map<String, String> env, Duration timeout,
                        String classPath) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add(CHILD_HEAP);
        String jfrDir = System.getProperty("bench.jfr.dir");
        if (jfrDir != null && !jfrDir.isBlank()) {
            cmd.add("-XX:StartFlightRecording=filename=" + Path.of(jfrDir, name + ".jfr") + ",settings=profile,dumponexit=true");
        }
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(main.getName());
        cmd.addAll(args);
        return run(name, cmd, env, timeout);
    }

    static Outcome run(String name, List<String> cmd, Map<String, String> env, Duration timeout) {
        Path logs = Bench.logDir();
        Path out = logs.resolve(name + ".out");
        Path err = logs.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + cmd.get(0) + ": " + e.getMessage(), e);
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(name + " did not finish within " + timeout + "; see " + err);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
        long wall = System.nanoTime() - t0;
        Map<String, String> result = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(out)) {
                if (line.startsWith(RESULT_PREFIX)) {
                    for (String kv : line.substring(RESULT_PREFIX.length()).trim().split("\\s+")) {
                        int eq = kv.indexOf('=');
                        if (eq > 0) {
                            result.put(kv.substring(0, eq), kv.substring(eq + 1));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + out + ": " + e.getMessage(), e);
        }
        return new Outcome(p.exitValue(), wall, result, out, err);
    }

    /** Prints the answer of a child program (called in the child). */
    static void emit(Map<String, ?> values) {
        StringBuilder sb = new StringBuilder(RESULT_PREFIX);
        values.forEach((k, v) -> sb.append(k).append('=').append(v).append(' '));
        System.out.println(sb.toString().trim());
        System.out.flush();
    }
}
