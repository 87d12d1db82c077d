package io.echodb.core.testing.services;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches a server under a {@code /bin/sh} watchdog that signals it when its stdin reaches EOF, i.e. when the JVM
 * closes the pipe or dies (even by SIGKILL); the shell exits when the server exits.
 */
public final class LocalProcess {
    private static final Logger LOG = LoggerFactory.getLogger(LocalProcess.class);

    private static final String SCRIPT = String.join("\n",
            "sig=\"$1\"; shift",
            "exec 3<&0",
            "\"$@\" </dev/null &",
            "child=$!",
            "{ read -r _ <&3; kill -s \"$sig\" \"$child\" 2>/dev/null; } &",
            "watcher=$!",
            "exec 3<&-",
            "wait \"$child\"; rc=$?",
            "kill \"$watcher\" 2>/dev/null",
            "exit $rc");

    private LocalProcess() {
    }

    /** Launches {@code command} under the watchdog (which sends {@code signal}), output appended to {@code logFile}. */
    public static Process launch(List<String> command, String signal, Path logFile, Path workDir) {
        return launch(command, signal, logFile, workDir, UnaryOperator.identity(), env -> { });
    }

    /**
     * Like {@link #launch(List, String, Path, Path)}; {@code wrap} rewrites the whole watchdog command (e.g. to run
     * it as another user) and {@code environment} adjusts the process environment.
     */
    public static Process launch(List<String> command, String signal, Path logFile, Path workDir,
                                 UnaryOperator<List<String>> wrap, Consumer<Map<String, String>> environment) {
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, "echodb-watchdog", signal));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(wrap.apply(cmd))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        environment.accept(pb.environment());
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch " + command, e);
        }
    }

    /** Closes the watchdog's stdin (so the server gets its signal) and waits; kills everything after {@code timeout}. */
    public static void stop(Process p, Duration timeout) {
        try {
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // already closed
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Server did not stop within {} s, killing it", timeout.toSeconds());
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
