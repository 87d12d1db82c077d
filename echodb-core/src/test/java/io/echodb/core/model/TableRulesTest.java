package io.echodb.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TableRulesTest {

    private static TableRule rule(String match, List<String> orderBy, String target) {
        return new TableRule(TableGlob.of(match), new TableSettings(orderBy, null, Set.of()), target);
    }

    @Test
    void theFirstMatchingRuleApplies() {
        TableRules rules = new TableRules(List.of(
                rule("public.events", List.of("tenant"), "events_v2"),
                rule("public.*", List.of("id"), null),
                rule("audit.*", List.of("at"), null)));

        assertThat(rules.settingsFor(TableRef.of("public", "events")).orderBy()).containsExactly("tenant");
        assertThat(rules.settingsFor(TableRef.of("public", "users")).orderBy()).containsExactly("id");
        assertThat(rules.settingsFor(TableRef.of("audit", "log")).orderBy()).containsExactly("at");
        assertThat(rules.settingsFor(TableRef.of("other", "x"))).isEqualTo(TableSettings.DEFAULTS);
    }

    @Test
    void aPolicyWithRulesNamesTargetsAndSettingsFromThem() {
        WatchPolicy policy = new WatchPolicy(Set.of("public"), List.of(), new TableRules(List.of(
                rule("events", List.of("tenant"), "events_v2"))));

        MirrorSpec events = policy.specFor(TableRef.of("public", "events"));
        MirrorSpec users = policy.specFor(TableRef.of("public", "users"));

        assertThat(events.targetTable()).isEqualTo("events_v2");
        assertThat(events.name().value()).isEqualTo("events_mirror");
        assertThat(events.settings().orderBy()).containsExactly("tenant");
        assertThat(users.targetTable()).isEqualTo("users");
        assertThat(users.settings().isDefault()).isTrue();
    }

    @Test
    void settingsThatCannotWorkAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> new TableSettings(List.of("a", "a"), null, Set.of()))
                .hasMessageContaining("order_by").hasMessageContaining("twice");
        assertThatThrownBy(() -> new TableSettings(List.of("a"), null, Set.of("a")))
                .hasMessageContaining("exclude_columns").hasMessageContaining("also in order_by");
        assertThatThrownBy(() -> new TableSettings(List.of(), "x; DROP TABLE y", Set.of()))
                .hasMessageContaining("partition_by");
        assertThatThrownBy(() -> rule("public.*", List.of(), "one_target"))
                .hasMessageContaining("target").hasMessageContaining("public.*");
    }
}
