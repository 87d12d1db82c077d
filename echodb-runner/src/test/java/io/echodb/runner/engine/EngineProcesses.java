package io.echodb.runner.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Engine processes of their own ({@link EngineProcessMain}) for one environment; closing kills those still alive. */
final class EngineProcesses implements AutoCloseable {

    private final E2eEnv env;
    private final List<Process> started = new ArrayList<>();

    EngineProcesses(E2eEnv env) {
        this.env = env;
    }

    /** Where process {@code n} writes its output. */
    Path logOf(int n) {
        return Path.of("target", "engine-process-" + env.pgDb + "-" + n + ".log").toAbsolutePath();
    }

    /** Starts engine process {@code n}, mirroring {@code tables} (public schema); does not wait for it. */
    Process start(int n, List<String> tables) throws IOException {
        Path log = logOf(n);
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), EngineProcessMain.class.getName(),
                env.pg.host(), String.valueOf(env.pg.port()), env.pgDb, env.pg.user(), env.pg.password(),
                env.ch.host(), String.valueOf(env.ch.port()), env.chDb, env.ch.user(), env.ch.password(),
                env.slot, env.publication));
        command.addAll(tables);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        return p;
    }

    @Override
    public void close() {
        started.forEach(Process::destroyForcibly);
    }
}
