package io.echodb.runner.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.model.DeleteMode;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.TableRules;
import io.echodb.core.model.TableSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TablesFileTest {

    @TempDir
    Path dir;

    @Test
    void theDocumentedExampleReadsAsWritten() throws Exception {
        Path file = dir.resolve("tables.yaml");
        Files.writeString(file, """
                - match: public.events
                  order_by: [tenant_id, created_at, id]   # source key columns are appended when missing
                  partition_by: toYYYYMM(created_at)
                  exclude_columns: [payload_raw]
                  target: events_v2
                - match: "audit.*"
                  exclude_columns: [diff]
                  deletes: hard
                  purge_after: 600
                """);

        TableRules rules = TablesFile.load(file.toString());

        TableSettings events = rules.settingsFor(TableRef.of("public", "events"));
        assertThat(events.orderBy()).containsExactly("tenant_id", "created_at", "id");
        assertThat(events.partitionBy()).isEqualTo("toYYYYMM(created_at)");
        assertThat(events.excludeColumns()).containsExactly("payload_raw");
        assertThat(rules.ruleFor(TableRef.of("public", "events")).orElseThrow().target()).isEqualTo("events_v2");
        assertThat(rules.settingsFor(TableRef.of("audit", "log")).excludeColumns()).containsExactly("diff");
        assertThat(rules.settingsFor(TableRef.of("audit", "log")).deletes()).isEqualTo(DeleteMode.HARD);
        assertThat(rules.settingsFor(TableRef.of("audit", "log")).purgeAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(events.deletes()).isEqualTo(DeleteMode.SOFT);
        assertThat(rules.settingsFor(TableRef.of("public", "users")).isDefault()).isTrue();
    }

    @Test
    void anEmptyPathOrFileMeansNoRules() {
        assertThat(TablesFile.load("").isEmpty()).isTrue();
        assertThat(TablesFile.parse("t.yaml", "").isEmpty()).isTrue();
    }

    @Test
    void everyProblemIsOneLineNamingTheKeyTheRuleAndWhatIsWrong() {
        String yaml = """
                - match: public.events
                  order_by: tenant_id
                - order_by: [a]
                - match: "audit.*"
                  delete: hard
                  deletes: sometimes
                - match: public.x
                  order_by: [a, a]
                """;

        assertThatThrownBy(() -> TablesFile.parse("t.yaml", yaml))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(e.getMessage().lines().toList()).containsExactly(
                        "ECHODB_TABLES_FILE='t.yaml' rule 1 (match public.events): 'order_by' must be a list of column"
                                + " names, e.g. [a, b]",
                        "ECHODB_TABLES_FILE='t.yaml' rule 2: needs 'match' (a schema.table pattern, * and ? allowed)",
                        "ECHODB_TABLES_FILE='t.yaml' rule 3 (match audit.*): has unknown key 'delete' (known: match,"
                                + " order_by, partition_by, exclude_columns, target, deletes, purge_after)",
                        "ECHODB_TABLES_FILE='t.yaml' rule 3 (match audit.*): 'deletes' must be soft or hard, not"
                                + " 'sometimes'",
                        "ECHODB_TABLES_FILE='t.yaml' rule 4 (match public.x): invalid order_by '[a, a]': names column a twice"));
    }

    @Test
    void notAListOrNotYamlIsRefused() {
        assertThatThrownBy(() -> TablesFile.parse("t.yaml", "match: public.events"))
                .hasMessage("ECHODB_TABLES_FILE='t.yaml' must hold a YAML list of rules (- match: schema.table ...)");
        assertThatThrownBy(() -> TablesFile.parse("t.yaml", "- match: [unclosed"))
                .hasMessageStartingWith("ECHODB_TABLES_FILE='t.yaml' is not valid YAML");
    }
}
