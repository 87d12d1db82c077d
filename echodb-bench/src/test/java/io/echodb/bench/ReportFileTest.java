package io.echodb.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportFileTest {

    @TempDir
    Path dir;

    @Test
    void replacesOnlyItsOwnModeSectionAndKeepsEverythingElse() throws Exception {
        Path file = dir.resolve("BENCHMARKS.md");
        Files.writeString(file, "# Benchmarks\n\nintro\n\n" + Report.begin("quick") + "\nold quick\n" + Report.end("quick")
                + "\n\n" + Report.begin("full") + "\nold full\n" + Report.end("full")
                + "\n\n## Consistency check\n\nwritten by someone else\n");

        Report.writeInto(file, "quick", "new quick results\n");

        String content = Files.readString(file);
        assertThat(content).contains("new quick results").doesNotContain("old quick")
                .contains("old full").contains("## Consistency check\n\nwritten by someone else\n").startsWith("# Benchmarks\n\nintro");
    }

    @Test
    void appendsASectionWhenTheMarkersAreMissing() throws Exception {
        Path file = dir.resolve("BENCHMARKS.md");
        Files.writeString(file, "# Benchmarks\n\n## Consistency check\n\nkept\n");

        Report.writeInto(file, "full", "full results");
        Report.writeInto(file, "full", "newer full results");

        String content = Files.readString(file);
        assertThat(content).contains("## Consistency check\n\nkept").contains("newer full results")
                .doesNotContain("full results\n\n" + Report.end("full") + "\n\n## Results");
        assertThat(content.split(java.util.regex.Pattern.quote(Report.end("full")), -1)).hasSize(2);
    }

    @Test
    void gapSaysMetWithMarginOrHowMuchIsMissing() {
        assertThat(Report.ratioGap(1.0, 0.8)).isEqualTo("✅ met (1.25× the target)");
        assertThat(Report.ratioGap(0.4, 0.8)).isEqualTo("❌ missed: 50% short, needs 2.00× more");
    }
}
