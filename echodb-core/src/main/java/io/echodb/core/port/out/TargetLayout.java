package io.echodb.core.port.out;

import io.echodb.core.model.DeleteMode;
import io.echodb.core.model.TableSettings;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a sink lays out a target table beyond its columns and key: {@code partitionBy}, an expression in the target's
 * language (null: not partitioned), and whether deleted rows are removed physically ({@code deletes}, within about
 * {@code purgeAfter}). {@code multisetOrder} is null for a keyed table (one live row per key); for a key-less table
 * it is the columns the target sorts by first (maybe none): the table then holds one +1 row per inserted and one −1
 * row per deleted row image, each identified by its version and sign, and deletes are never physical.
 */
public record TargetLayout(String partitionBy, DeleteMode deletes, Duration purgeAfter, List<String> multisetOrder) {

    public static final TargetLayout DEFAULT = new TargetLayout(null, DeleteMode.SOFT, TableSettings.DEFAULT_PURGE_AFTER);

    public TargetLayout {
        Objects.requireNonNull(deletes, "deletes");
        Objects.requireNonNull(purgeAfter, "purgeAfter");
        multisetOrder = multisetOrder == null ? null : List.copyOf(multisetOrder);
        if (multisetOrder != null && deletes == DeleteMode.HARD) {
            throw new IllegalArgumentException("a multiset target keeps its -1 rows: deletes cannot be hard");
        }
    }

    /** A keyed layout. */
    public TargetLayout(String partitionBy, DeleteMode deletes, Duration purgeAfter) {
        this(partitionBy, deletes, purgeAfter, null);
    }

    public static TargetLayout of(TableSettings settings) {
        return new TargetLayout(settings.partitionBy(), settings.deletes(), settings.purgeAfter());
    }

    /** The multiset layout for a key-less table with {@code settings}, sorted first by {@code orderFirst}. */
    public static TargetLayout multiset(TableSettings settings, List<String> orderFirst) {
        return new TargetLayout(settings.partitionBy(), DeleteMode.SOFT, settings.purgeAfter(), orderFirst);
    }

    public boolean isDefault() {
        return partitionBy == null && deletes == DeleteMode.SOFT && multisetOrder == null;
    }

    public boolean hardDeletes() {
        return deletes == DeleteMode.HARD;
    }

    public boolean isMultiset() {
        return multisetOrder != null;
    }
}
