package io.echodb.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @TempDir
    Path dir;

    private record Outcome(int code, String out, String err) { }

    private Outcome run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, env, dir, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aBadValueExitsWithStatus2AndOneLine() {
        Outcome o = run(Map.of("POSTGRES_PORT", "abc"));
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).isEqualTo("configuration error: POSTGRES_PORT='abc' must be an integer 1..65535" + System.lineSeparator());
        assertThat(o.out()).isEmpty();
    }

    @Test
    void aBadTablesFileExitsWithStatus2AndOneLinePerProblem() throws Exception {
        Path file = dir.resolve("tables.yaml");
        Files.writeString(file, "- match: public.events\n  order_by: [a, a]\n- match: audit.*\n  deletes: sometimes\n");

        Outcome o = run(Map.of("ECHODB_TABLES_FILE", file.toString()));

        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().lines().toList()).containsExactly(
                "configuration error: ECHODB_TABLES_FILE='" + file + "' rule 1 (match public.events): invalid order_by"
                        + " '[a, a]': names column a twice",
                "configuration error: ECHODB_TABLES_FILE='" + file + "' rule 2 (match audit.*): 'deletes' must be soft"
                        + " or hard, not 'sometimes'");
    }

    @Test
    void aBadSecretIsNotEchoed() {
        Outcome o = run(Map.of("ADMIN_TOKEN", "my-short-token"));
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).isEqualTo("configuration error: ADMIN_TOKEN='****' must be empty or at least 16 printable characters"
                + " without spaces" + System.lineSeparator());
    }

    @Test
    void checkConfigPrintsTheEffectiveConfigurationMasked() {
        Outcome o = run(Map.of("POSTGRES_PASSWORD", "very-secret-pw", "POSTGRES_HOST", "db1"), "--check-config");
        assertThat(o.code()).isZero();
        assertThat(o.out()).contains("POSTGRES_HOST=db1 (environment)", "POSTGRES_PASSWORD=**** (environment)",
                "POSTGRES_PORT=5432 (default)").doesNotContain("very-secret-pw");
    }

    @Test
    void configDocsPrintsTheReference() {
        Outcome o = run(Map.of(), "--config-docs");
        assertThat(o.code()).isZero();
        assertThat(o.out()).startsWith("# Configuration").contains("| `POSTGRES_PORT` | `5432` |");
    }

    @Test
    void theRealProcessExitsWith2OnABadValue() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName()))
                .directory(dir.toFile());
        pb.environment().put("POSTGRES_PORT", "abc");
        pb.environment().remove("ECHODB_ENV_FILE");
        Path stderr = dir.resolve("stderr.txt");
        pb.redirectError(stderr.toFile());
        pb.redirectOutput(dir.resolve("stdout.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readAllLines(stderr, StandardCharsets.UTF_8))
                .containsExactly("configuration error: POSTGRES_PORT='abc' must be an integer 1..65535");
    }
}
