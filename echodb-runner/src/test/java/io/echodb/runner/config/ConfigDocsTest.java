package io.echodb.runner.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/CONFIGURATION.md is generated from the key registry; this fails when someone forgot to regenerate it. */
class ConfigDocsTest {

    @Test
    void committedReferenceMatchesTheRegistry() throws Exception {
        Path doc = Path.of("..", "docs", "CONFIGURATION.md");
        String rendered = ConfigDocs.render();
        assertThat(doc).as("regenerate with: java -cp echodb-runner/target/echodb-runner.jar "
                + "io.echodb.runner.config.ConfigDocs docs/CONFIGURATION.md").exists();
        assertThat(Files.readString(doc, StandardCharsets.UTF_8)).isEqualTo(rendered);
        for (ConfigKey<?> k : ConfigKeys.all()) {
            assertThat(rendered).contains("| `" + k.name() + "`");
        }
    }
}
