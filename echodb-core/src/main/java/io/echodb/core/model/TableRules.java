package io.echodb.core.model;

import java.util.List;
import java.util.Optional;

/** The ordered table settings: the first rule whose pattern matches a table applies to it. */
public record TableRules(List<TableRule> rules) {

    public static final TableRules NONE = new TableRules(List.of());

    public TableRules {
        rules = List.copyOf(rules == null ? List.of() : rules);
    }

    public Optional<TableRule> ruleFor(TableRef table) {
        for (TableRule r : rules) {
            if (r.match().matches(table)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    public TableSettings settingsFor(TableRef table) {
        return ruleFor(table).map(TableRule::settings).orElse(TableSettings.DEFAULTS);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }
}
