package io.echodb.core.testing.services;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short OS commands, finds executables and tells the JVM's uid. */
public final class Commands {
    private static final List<String> SEARCH_DIRS = List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin",
            "/sbin", "/usr/local/sbin");

    private Commands() {
    }

    /** The uid the JVM runs as. */
    public static int uid() {
        try {
            return ((Number) Files.getAttribute(Paths.get("/proc/self"), "unix:uid")).intValue();
        } catch (IOException | RuntimeException e) {
            ProcessBuilder pb = new ProcessBuilder("id", "-u");
            pb.environment().put("LC_ALL", "C");
            return Integer.parseInt(output(pb, Duration.ofSeconds(20)).trim());
        }
    }

    /** The executable {@code tool} on the PATH or in the usual bin directories, or null. */
    public static String which(String tool) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(SEARCH_DIRS);
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Paths.get(d, tool);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** Runs the command of {@code pb} (stdin closed), returns stdout+stderr; throws if it fails or times out. */
    public static String output(ProcessBuilder pb, Duration timeout) {
        List<String> cmd = List.copyOf(pb.command());
        pb.redirectErrorStream(true);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try (InputStream in = p.getInputStream()) {
                    in.transferTo(buf);
                } catch (IOException ignored) {
                    // process gone
                }
            }, "echodb-cmd-output");
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            reader.join(5000);
            String out = buf.toString(StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("exit code " + p.exitValue() + " from " + cmd + ": " + out.trim());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + cmd, e);
        }
    }
}
