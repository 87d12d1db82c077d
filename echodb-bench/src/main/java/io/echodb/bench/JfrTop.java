package io.echodb.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarizes JFR recordings: the hottest frames by own samples ({@code jdk.ExecutionSample}), the hottest EchoDB
 * frames (first {@code io.echodb} frame of each sample) and the busiest threads. Run alone with
 * {@code java -cp … io.echodb.bench.JfrTop file.jfr [top]}.
 */
public final class JfrTop {

    private JfrTop() {
    }

    public static void main(String[] args) throws IOException {
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        System.out.println(summarize(Path.of(args[0]), top));
    }

    static String summarizeDirectory(Path dir) {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jfr")).sorted().toList()) {
                sb.append(summarize(f, 12)).append('\n');
            }
        } catch (IOException e) {
            sb.append("(cannot read ").append(dir).append(": ").append(e.getMessage()).append(")\n");
        }
        return sb.toString();
    }

    static String summarize(Path file, int top) {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> echodb = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        int samples = 0;
        try {
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                    continue;
                }
                RecordedStackTrace st = e.getStackTrace();
                if (st == null || st.getFrames().isEmpty()) {
                    continue;
                }
                samples++;
                List<RecordedFrame> frames = st.getFrames();
                self.merge(name(frames.get(0)), 1, Integer::sum);
                for (RecordedFrame f : frames) {
                    if (f.getMethod().getType().getName().startsWith("io.echodb")) {
                        echodb.merge(name(f), 1, Integer::sum);
                        break;
                    }
                }
                var thread = e.getThread("sampledThread");
                threads.merge(thread == null ? "?" : thread.getJavaName(), 1, Integer::sum);
            }
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")\n";
        }
        StringBuilder sb = new StringBuilder();
        sb.append("**").append(file.getFileName()).append("** — ").append(samples).append(" execution samples\n\n");
        table(sb, "Hottest frames (own samples)", self, samples, top);
        table(sb, "Hottest EchoDB frames (first io.echodb frame of each sample)", echodb, samples, top);
        table(sb, "Threads", threads, samples, 6);
        return sb.toString();
    }

    private static void table(StringBuilder sb, String title, Map<String, Integer> counts, int samples, int top) {
        if (counts.isEmpty()) {
            return;
        }
        sb.append("| ").append(title).append(" | samples | share |\n|---|---|---|\n");
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(en -> sb.append("| `").append(en.getKey()).append("` | ").append(en.getValue()).append(" | ")
                        .append(String.format(Locale.ROOT, "%.1f%%", 100.0 * en.getValue() / samples)).append(" |\n"));
        sb.append('\n');
    }

    private static String name(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }
}
