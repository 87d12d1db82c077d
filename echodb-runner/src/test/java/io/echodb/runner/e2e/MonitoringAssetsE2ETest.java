package io.echodb.runner.e2e;

import static io.echodb.core.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.echodb.runner.EchoDbApplication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The compose stack's monitoring assets against a running worker: every metric the alert rules and the Grafana
 * dashboard query is exported by EchoDB (a renamed meter would otherwise silently disable an alert), and every
 * dashboard panel queries the provisioned Prometheus data source.
 */
class MonitoringAssetsE2ETest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Path MONITORING = Path.of("..", "compose", "monitoring");
    private static final Pattern METRIC = Pattern.compile("\\b((?:echodb|resilience4j)_[a-z0-9_]+)");
    private final Stack stack = new Stack("e2e_monitoring");

    @AfterEach
    void cleanUp() {
        stack.close();
    }

    private static Set<String> metricsIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void everyMetricTheAlertsAndTheDashboardQueryIsExported() throws Exception {
        String alerts = Files.readString(MONITORING.resolve("alerts.yml"));
        JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("grafana/dashboards/echodb.json").toFile());
        String datasources = Files.readString(MONITORING.resolve("grafana/provisioning/datasources/prometheus.yml"));
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(panel.get("datasource").get("uid").asText()).as(panel.get("title").asText()).isEqualTo("prometheus");
            assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
            panel.get("targets").forEach(t -> exprs.add(t.get("expr").asText()));
        }
        assertThat(datasources).contains("uid: prometheus");
        Set<String> used = metricsIn(alerts.lines().filter(l -> l.trim().startsWith("expr:")).reduce("", (a, b) -> a + "\n" + b));
        used.addAll(metricsIn(String.join("\n", exprs)));
        assertThat(used).contains("echodb_replication_lag_seconds", "echodb_slot_retained_wal_bytes", "echodb_leader",
                "echodb_mirrors", "resilience4j_circuitbreaker_state");

        stack.sql("CREATE TABLE watched (id int PRIMARY KEY)", "INSERT INTO watched VALUES (1)");
        EchoDbApplication app = stack.start(stack.env("monitoring-worker", "none"));
        eventually(WAIT, () -> assertThat(stack.chCount("watched")).isEqualTo(1));
        eventually(WAIT, () -> {
            String scrape = stack.getText(app, "/metrics/prometheus");
            Set<String> exported = new TreeSet<>();
            for (String line : scrape.split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    exported.add(line.split("[{ ]", 2)[0]);
                }
            }
            assertThat(exported).as("metrics the monitoring assets query").containsAll(used);
        });
    }
}
