package io.echodb.core.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which source tables are mirrored: tables in {@code schemas} whose name matches no exclude glob.
 * Globs use {@code *} (any run of characters) and {@code ?} (one character); a glob containing a dot
 * matches {@code schema.table}, otherwise the bare table name. Matching is case-sensitive like PostgreSQL names.
 * {@code keylessTables} says whether a table without a key is mirrored (as a multiset) or only reported; the engine
 * must be given the same mode ({@code EngineSettings.keylessTables}).
 */
public record WatchPolicy(Set<String> schemas, List<String> excludeGlobs, TableRules rules, KeylessTables keylessTables) {

    /** The seed's default exclusions: PostGIS bookkeeping tables. */
    public static final List<String> DEFAULT_EXCLUDES = List.of(
            "spatial_ref_sys", "geometry_columns", "geography_columns", "raster_columns", "raster_overviews");

    /** A policy without table settings. */
    public WatchPolicy(Set<String> schemas, List<String> excludeGlobs) {
        this(schemas, excludeGlobs, TableRules.NONE);
    }

    /** A policy that reports key-less tables. */
    public WatchPolicy(Set<String> schemas, List<String> excludeGlobs, TableRules rules) {
        this(schemas, excludeGlobs, rules, KeylessTables.REPORT);
    }

    public WatchPolicy {
        if (schemas == null || schemas.isEmpty()) {
            throw InvalidValueException.of("SYNC_SCHEMA", schemas, "needs at least one schema");
        }
        for (String s : schemas) {
            if (s == null || s.isBlank()) {
                throw InvalidValueException.of("SYNC_SCHEMA", schemas, "schema names must not be blank");
            }
        }
        schemas = Set.copyOf(new LinkedHashSet<>(schemas));
        excludeGlobs = List.copyOf(excludeGlobs == null ? List.of() : excludeGlobs);
        for (String g : excludeGlobs) {
            if (g == null || g.isBlank()) {
                throw InvalidValueException.of("EXCLUDED_TABLES", excludeGlobs, "patterns must not be blank");
            }
        }
        rules = rules == null ? TableRules.NONE : rules;
        keylessTables = keylessTables == null ? KeylessTables.REPORT : keylessTables;
    }

    /** The same policy with table settings. */
    public WatchPolicy withRules(TableRules newRules) {
        return new WatchPolicy(schemas, excludeGlobs, newRules, keylessTables);
    }

    /** The same policy with key-less tables handled as {@code mode} says. */
    public WatchPolicy withKeylessTables(KeylessTables mode) {
        return new WatchPolicy(schemas, excludeGlobs, rules, mode);
    }

    /** Builds a policy from the seed's comma lists (SYNC_SCHEMA, EXCLUDED_TABLES). */
    public static WatchPolicy fromCommaLists(String syncSchema, String excludedTables) {
        return new WatchPolicy(new LinkedHashSet<>(splitComma(syncSchema)), splitComma(excludedTables));
    }

    public static List<String> splitComma(String list) {
        if (list == null || list.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
        return out;
    }

    public boolean watchesSchema(String schema) {
        return schemas.contains(schema);
    }

    public boolean isExcluded(TableRef table) {
        for (String glob : excludeGlobs) {
            if (TableGlob.of(glob).matches(table)) {
                return true;
            }
        }
        return false;
    }

    /** True when the table should be mirrored. */
    public boolean matches(TableRef table) {
        return watchesSchema(table.schema()) && !isExcluded(table);
    }

    /** Target tables are schema-prefixed when more than one schema is watched, so names never collide. */
    public boolean qualifyTargetNames() {
        return schemas.size() > 1;
    }

    /** The target a rule names, else the table's name (schema-prefixed when several schemas are watched). */
    public String targetTableFor(TableRef table) {
        return rules.ruleFor(table).map(TableRule::target)
                .orElse(qualifyTargetNames() ? table.schema() + "_" + table.name() : table.name());
    }

    /** The mirror a new mirror of {@code table} gets: its name, its target and the first matching rule's settings. */
    public MirrorSpec specFor(TableRef table) {
        return new MirrorSpec(MirrorName.forTable(table, qualifyTargetNames()), table, targetTableFor(table),
                rules.settingsFor(table));
    }

    @Override
    public String toString() {
        return "schemas=" + schemas + " excluded=" + excludeGlobs;
    }
}
