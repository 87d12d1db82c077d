package io.echodb.core.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How one mirrored table is laid out in the target, fixed when its mirror is created (a changed rule re-creates it).
 * {@code orderBy}: the target's sorting key, leading columns first (empty: the source key); the source key columns
 * missing from it are appended. {@code partitionBy}: a target partition expression, null for none.
 * {@code excludeColumns}: source columns never read and never created in the target. {@code deletes}: whether deleted
 * rows are also removed physically, {@code purgeAfter} after how long at most (HARD only).
 */
public record TableSettings(List<String> orderBy, String partitionBy, Set<String> excludeColumns, DeleteMode deletes,
                            Duration purgeAfter) {

    public static final Duration DEFAULT_PURGE_AFTER = Duration.ofHours(1);
    public static final TableSettings DEFAULTS = new TableSettings(List.of(), null, Set.of());

    /** Soft deletes. */
    public TableSettings(List<String> orderBy, String partitionBy, Set<String> excludeColumns) {
        this(orderBy, partitionBy, excludeColumns, DeleteMode.SOFT, DEFAULT_PURGE_AFTER);
    }

    public TableSettings {
        deletes = deletes == null ? DeleteMode.SOFT : deletes;
        purgeAfter = purgeAfter == null ? DEFAULT_PURGE_AFTER : purgeAfter;
        if (purgeAfter.compareTo(Duration.ofSeconds(1)) < 0 || purgeAfter.compareTo(Duration.ofDays(30)) > 0) {
            throw InvalidValueException.of("purge_after", purgeAfter.toSeconds(), "must be 1..2592000 seconds");
        }
        orderBy = List.copyOf(orderBy == null ? List.of() : orderBy);
        excludeColumns = Set.copyOf(new LinkedHashSet<>(excludeColumns == null ? Set.of() : excludeColumns));
        Set<String> seen = new HashSet<>();
        for (String c : orderBy) {
            requireColumnName("order_by", c);
            if (!seen.add(c)) {
                throw InvalidValueException.of("order_by", orderBy, "names column " + c + " twice");
            }
        }
        for (String c : excludeColumns) {
            requireColumnName("exclude_columns", c);
            if (seen.contains(c)) {
                throw InvalidValueException.of("exclude_columns", c, "is also in order_by");
            }
        }
        if (partitionBy != null && (partitionBy.isBlank() || partitionBy.indexOf(';') >= 0 || partitionBy.indexOf('\0') >= 0)) {
            throw InvalidValueException.of("partition_by", partitionBy, "must be one non-blank ClickHouse expression");
        }
    }

    public boolean isDefault() {
        return equals(DEFAULTS);
    }

    /** The excluded columns in a stable order, for storage and display. */
    public List<String> excludedSorted() {
        List<String> out = new ArrayList<>(excludeColumns);
        out.sort(null);
        return out;
    }

    private static void requireColumnName(String key, String column) {
        if (column == null || column.isEmpty() || column.indexOf('\0') >= 0) {
            throw InvalidValueException.of(key, column, "must hold non-empty column names");
        }
    }
}
