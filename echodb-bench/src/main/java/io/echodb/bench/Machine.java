package io.echodb.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** What the run ran on: hardware, operating system and the versions of everything measured. */
record Machine(String cpu, int cores, long memoryMib, String os, String jdk, String postgres, String clickhouse,
               String recvlogical, String debezium, String gitCommit) {

    static String readCpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    static long readMemoryMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return Runtime.getRuntime().maxMemory() / (1024 * 1024);
    }

    static String readOs() {
        String pretty = null;
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    pretty = line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // unknown distribution
        }
        return (pretty == null ? "" : pretty + ", ") + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    static String readJdk() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vm.vendor") + ")";
    }

    static String debeziumVersion() {
        try (InputStream in = Machine.class.getResourceAsStream("/META-INF/maven/io.debezium/debezium-embedded/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "?");
            }
        } catch (IOException e) {
            // unknown
        }
        return "?";
    }

    static String gitCommit(Path repo) {
        try {
            Process p = new ProcessBuilder("git", "-C", repo.toString(), "describe", "--always", "--dirty")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
