package io.echodb.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** The current process's memory and CPU, read from /proc (Linux) and the JVM. */
final class ProcStats {

    private ProcStats() {
    }

    /** Peak resident set size in KiB since start or the last {@link #resetPeak()} ({@code VmHWM}); -1 if unknown. */
    static long peakRssKib() {
        return statusKib("VmHWM:");
    }

    /** Current resident set size in KiB ({@code VmRSS}); -1 if unknown. */
    static long rssKib() {
        return statusKib("VmRSS:");
    }

    /** Resets {@code VmHWM} to the current RSS (writes 5 to /proc/self/clear_refs); false when not possible. */
    static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** CPU time (user + system) of the whole process, in nanoseconds. */
    static long cpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * CPU time of the live Java threads, summed by thread name with digits removed (so pools add up), in
     * nanoseconds. JIT compiler and GC threads are not Java threads: this is the application's own CPU.
     */
    static java.util.Map<String, Long> threadCpuNanos() {
        var mx = ManagementFactory.getThreadMXBean();
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        for (long id : mx.getAllThreadIds()) {
            var info = mx.getThreadInfo(id);
            long cpu = mx.getThreadCpuTime(id);
            if (info != null && cpu > 0) {
                out.merge(info.getThreadName().replaceAll("[0-9]+", "#"), cpu, Long::sum);
            }
        }
        return out;
    }

    /** Per-thread-group CPU used between two {@link #threadCpuNanos()} readings. */
    static java.util.Map<String, Long> minus(java.util.Map<String, Long> later, java.util.Map<String, Long> earlier) {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        later.forEach((k, v) -> {
            long d = v - earlier.getOrDefault(k, 0L);
            if (d > 0) {
                out.put(k, d);
            }
        });
        return out;
    }

    /** Total GC time so far, in milliseconds. */
    static long gcMillis() {
        long total = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    /** The 1-minute load average, or -1. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long statusKib(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
