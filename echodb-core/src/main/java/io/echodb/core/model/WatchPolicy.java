package io.echodb.core.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which source tables are mirrored: tables in {@code schemas} whose name matches no exclude glob.
 * Globs use {@code *} (any run of characters) and {@code ?} (one character); a glob containing a dot
 * matches {@code schema.table}, otherwise the bare table name. Matching is case-sensitive like PostgreSQL names.
 */
public record WatchPolicy(Set<String> schemas, List<String> excludeGlobs) {

    /** The seed's default exclusions: PostGIS bookkeeping tables. */
    public static final List<String> DEFAULT_EXCLUDES = List.of(
            "spatial_ref_sys", "geometry_columns", "geography_columns", "raster_columns", "raster_overviews");

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
            String subject = glob.contains(".") ? table.qualified() : table.name();
            if (globToRegex(glob).matcher(subject).matches()) {
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

    public String targetTableFor(TableRef table) {
        return qualifyTargetNames() ? table.schema() + "_" + table.name() : table.name();
    }

    public MirrorSpec specFor(TableRef table) {
        return new MirrorSpec(MirrorName.forTable(table, qualifyTargetNames()), table, targetTableFor(table));
    }

    private static Pattern globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    @Override
    public String toString() {
        return "schemas=" + schemas + " excluded=" + excludeGlobs;
    }
}
