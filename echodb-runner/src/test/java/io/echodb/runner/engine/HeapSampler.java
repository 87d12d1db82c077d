package io.echodb.runner.engine;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * For benchmarks: samples, until closed, the heap in use right after the last collection of each pool (what the code
 * under measurement really keeps, not garbage awaiting collection), and reports the peak.
 */
final class HeapSampler implements AutoCloseable {

    private final AtomicBoolean sampling = new AtomicBoolean(true);
    private final AtomicLong peak = new AtomicLong();
    private final Thread thread;

    HeapSampler(long everyMillis) {
        thread = new Thread(() -> {
            while (sampling.get()) {
                peak.accumulateAndGet(heapAfterLastGc(), Math::max);
                try {
                    Thread.sleep(everyMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops sampling (waits for the sampler) and returns the peak heap after GC in bytes. */
    long stop() throws InterruptedException {
        sampling.set(false);
        thread.join();
        return peak.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static long heapAfterLastGc() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                sum += pool.getCollectionUsage().getUsed();
            }
        }
        return sum;
    }

    /** The process's peak resident set size (VmHWM), in KiB; -1 where /proc does not tell. */
    static long peakRssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
