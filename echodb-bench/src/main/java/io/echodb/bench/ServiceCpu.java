package io.echodb.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time used by the services under test, read from /proc: PostgreSQL (the postmaster, its live backends, and the
 * backends that already exited, which the kernel adds to the postmaster's children time) and the local ClickHouse
 * server process. The difference of two samples says where a measurement's CPU went, which matters on a small machine
 * where the services and the measured process share the cores. Unknown (external, Docker) services read as -1.
 */
final class ServiceCpu {

    private static final double TICK_NANOS = 1e9 / 100; // USER_HZ is 100 on Linux

    private final long postmasterPid;
    private final long clickhousePid;

    /** CPU nanoseconds of each service at one moment (-1 when unknown). */
    record Sample(long postgresNanos, long clickhouseNanos) {
        Sample minus(Sample earlier) {
            return new Sample(diff(postgresNanos, earlier.postgresNanos), diff(clickhouseNanos, earlier.clickhouseNanos));
        }

        private static long diff(long a, long b) {
            return a < 0 || b < 0 ? -1 : a - b;
        }
    }

    ServiceCpu(int postgresPort, int clickhousePort) {
        this.postmasterPid = find("postgres", "-p", Integer.toString(postgresPort));
        this.clickhousePid = find("node", "--port", Integer.toString(clickhousePort));
    }

    boolean known() {
        return postmasterPid > 0 || clickhousePid > 0;
    }

    Sample sample() {
        return new Sample(postgres(), clickhousePid > 0 ? toNanos(ticks(clickhousePid, false)) : -1);
    }

    private long postgres() {
        if (postmasterPid <= 0) {
            return -1;
        }
        long total = ticks(postmasterPid, true);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                String[] f = stat(p);
                if (f != null && Long.parseLong(f[1]) == postmasterPid) {
                    total += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return toNanos(total);
    }

    private static long toNanos(long ticks) {
        return ticks < 0 ? -1 : (long) (ticks * TICK_NANOS);
    }

    /** utime + stime (+ cutime + cstime: waited-for children) of {@code pid} in clock ticks, or -1. */
    private static long ticks(long pid, boolean withChildren) {
        String[] f = stat(Path.of("/proc", Long.toString(pid)));
        if (f == null) {
            return -1;
        }
        long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        if (withChildren) {
            t += Long.parseLong(f[13]) + Long.parseLong(f[14]);
        }
        return t;
    }

    /** Fields of /proc/pid/stat after the command name: [1]=ppid, [11]=utime, [12]=stime, [13]=cutime, [14]=cstime. */
    private static String[] stat(Path proc) {
        try {
            String s = Files.readString(proc.resolve("stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The pid of the {@code program} process with the consecutive arguments {@code flag value}; -1 if none. */
    private static long find(String program, String flag, String value) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                byte[] raw;
                try {
                    raw = Files.readAllBytes(p.resolve("cmdline"));
                } catch (IOException e) {
                    continue;
                }
                List<String> args = List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
                if (args.isEmpty() || !args.get(0).substring(args.get(0).lastIndexOf('/') + 1).equals(program)) {
                    continue;
                }
                for (int i = 1; i + 1 < args.size(); i++) {
                    if (args.get(i).equals(flag) && args.get(i + 1).equals(value)) {
                        return Long.parseLong(p.getFileName().toString());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
