package io.echodb.runner.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.echodb.core.model.DeleteMode;
import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.TableGlob;
import io.echodb.core.model.TableRule;
import io.echodb.core.model.TableRules;
import io.echodb.core.model.TableSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the table settings file ({@code ECHODB_TABLES_FILE}): a YAML list of rules, each a mapping with {@code match}
 * and any of {@code order_by}, {@code partition_by}, {@code exclude_columns}, {@code target}. Every problem is
 * reported, one line each, naming the key, the rule and what is wrong; nothing is half-applied.
 */
public final class TablesFile {

    public static final String KEY = "ECHODB_TABLES_FILE";
    private static final Set<String> KNOWN = Set.of("match", "order_by", "partition_by", "exclude_columns", "target",
            "deletes", "purge_after");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private TablesFile() {
    }

    /** The rules in {@code path}; an empty path means no rules. Throws {@link ConfigException} listing every error. */
    public static TableRules load(String path) {
        if (path == null || path.isBlank()) {
            return TableRules.NONE;
        }
        String text;
        try {
            text = Files.readString(Path.of(path));
        } catch (IOException e) {
            throw ConfigException.invalid(KEY, false, path, "cannot be read: " + e.getMessage());
        }
        return parse(path, text);
    }

    /** The rules in {@code text}; {@code path} names the file in messages. */
    static TableRules parse(String path, String text) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw ConfigException.invalid(KEY, false, path, "is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return TableRules.NONE;
        }
        if (!root.isArray()) {
            throw ConfigException.invalid(KEY, false, path, "must hold a YAML list of rules (- match: schema.table ...)");
        }
        List<String> errors = new ArrayList<>();
        List<TableRule> rules = new ArrayList<>();
        int index = 0;
        for (JsonNode node : root) {
            index++;
            Rule r = new Rule(index, node, errors);
            TableRule rule = r.build();
            if (rule != null) {
                rules.add(rule);
            }
        }
        if (!errors.isEmpty()) {
            List<String> lines = new ArrayList<>();
            for (String e : errors) {
                lines.add(ConfigException.invalid(KEY, false, path, e).getMessage());
            }
            throw ConfigException.lines(lines);
        }
        return new TableRules(rules);
    }

    /** One rule being read; problems go to {@code errors}. */
    private static final class Rule {
        private final JsonNode node;
        private final List<String> errors;
        private String name;

        Rule(int index, JsonNode node, List<String> errors) {
            this.node = node;
            this.errors = errors;
            this.name = "rule " + index;
        }

        TableRule build() {
            if (!node.isObject()) {
                error("must be a mapping with match: and settings");
                return null;
            }
            int before = errors.size();
            String match = text("match", true);
            if (match != null) {
                name = name + " (match " + match + ")";
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!KNOWN.contains(key)) {
                    error("has unknown key '" + key + "' (known: match, order_by, partition_by, exclude_columns,"
                            + " target, deletes, purge_after)");
                }
            }
            List<String> orderBy = names("order_by");
            String partitionBy = text("partition_by", false);
            List<String> exclude = names("exclude_columns");
            String target = text("target", false);
            DeleteMode deletes = deletes();
            Duration purgeAfter = purgeAfter();
            if (errors.size() > before || match == null) {
                return null;
            }
            try {
                TableSettings settings = new TableSettings(orderBy, partitionBy, new LinkedHashSet<>(exclude), deletes,
                        purgeAfter);
                return new TableRule(TableGlob.of(match), settings, target);
            } catch (InvalidValueException e) {
                error(e.getMessage());
                return null;
            }
        }

        private DeleteMode deletes() {
            String v = text("deletes", false);
            if (v == null || v.equals("soft")) {
                return DeleteMode.SOFT;
            }
            if (v.equals("hard")) {
                return DeleteMode.HARD;
            }
            error("'deletes' must be soft or hard, not '" + v + "'");
            return DeleteMode.SOFT;
        }

        private Duration purgeAfter() {
            JsonNode v = node.get("purge_after");
            if (v == null || v.isNull()) {
                return TableSettings.DEFAULT_PURGE_AFTER;
            }
            if (!v.canConvertToLong() || !v.isIntegralNumber()) {
                error("'purge_after' must be a whole number of seconds, not '" + v.asText() + "'");
                return TableSettings.DEFAULT_PURGE_AFTER;
            }
            if (!"hard".equals(text("deletes", false))) {
                error("'purge_after' only applies with deletes: hard");
            }
            return Duration.ofSeconds(v.asLong());
        }

        private String text(String key, boolean required) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                if (required) {
                    error("needs '" + key + "' (a schema.table pattern, * and ? allowed)");
                }
                return null;
            }
            if (!v.isValueNode() || v.asText().isBlank()) {
                error("'" + key + "' must be a non-empty text");
                return null;
            }
            return v.asText();
        }

        private List<String> names(String key) {
            JsonNode v = node.get(key);
            List<String> out = new ArrayList<>();
            if (v == null || v.isNull()) {
                return out;
            }
            if (!v.isArray()) {
                error("'" + key + "' must be a list of column names, e.g. [a, b]");
                return out;
            }
            for (JsonNode c : v) {
                if (!c.isValueNode() || c.asText().isEmpty()) {
                    error("'" + key + "' must hold column names, found " + c);
                } else {
                    out.add(c.asText());
                }
            }
            return out;
        }

        private void error(String message) {
            errors.add(name + ": " + message);
        }
    }
}
