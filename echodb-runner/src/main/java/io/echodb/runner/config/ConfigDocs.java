package io.echodb.runner.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Renders docs/CONFIGURATION.md from {@link ConfigKeys}, so the table never drifts from the code.
 * {@code java -cp echodb-runner.jar io.echodb.runner.config.ConfigDocs docs/CONFIGURATION.md} rewrites the file;
 * a test fails when the committed file differs from {@link #render()}.
 */
public final class ConfigDocs {

    private ConfigDocs() {
    }

    public static String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Configuration\n\n");
        sb.append("<!-- Generated from io.echodb.runner.config.ConfigKeys by ConfigDocs; do not edit by hand. -->\n\n");
        sb.append("EchoDB reads environment variables, then an optional `.env` file: the file named by `ECHODB_ENV_FILE`, ")
                .append("or `./.env` when it exists. A variable set in the real environment always wins over the file. ")
                .append("The `.env` syntax is docker compose's: `KEY=VALUE`, `export KEY=VALUE`, `#` comments, single or double ")
                .append("quotes, and ` # comment` after an unquoted value.\n\n");
        sb.append("An empty value means the default, except for secrets (an empty password is a real choice). ")
                .append("Every value is validated at start-up; a bad one stops EchoDB with exit status 2 and one line on stderr, e.g.\n\n")
                .append("```\nconfiguration error: POSTGRES_PORT='abc' must be an integer 1..65535\n```\n\n");
        sb.append("Secrets (passwords, `ADMIN_TOKEN`, `CLICKHOUSE_URL`) are masked as `****` in logs, in error messages and in ")
                .append("every HTTP response. Names in the Key column that are followed by \"alias\" are older spellings still accepted.\n");
        String area = null;
        for (ConfigKey<?> k : ConfigKeys.all()) {
            if (!k.area().equals(area)) {
                area = k.area();
                sb.append("\n## ").append(area).append("\n\n");
                sb.append("| Key | Default | Description |\n|---|---|---|\n");
            }
            sb.append("| `").append(k.name()).append('`');
            for (String alias : k.aliases()) {
                sb.append(" (alias `").append(alias).append("`)");
            }
            sb.append(k.secret() ? " (secret)" : "");
            String def = k.shownDefault();
            sb.append(" | ").append(def == null || def.isEmpty() ? "(empty)" : "`" + def + "`");
            sb.append(" | ").append(k.description().replace("|", "\\|")).append(" |\n");
        }
        sb.append("\n(secret) = never logged, never returned by the HTTP API.\n");
        return sb.toString();
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/CONFIGURATION.md");
        Files.writeString(out, render(), StandardCharsets.UTF_8);
    }
}
