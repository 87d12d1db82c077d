package io.echodb.core.port;

import io.echodb.core.model.DeleteMode;
import io.echodb.core.model.TableSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * How a sink lays out a target table beyond its columns and key: {@code partitionBy}, an expression in the target's
 * language (null: not partitioned), and whether deleted rows are removed physically ({@code deletes}, within about
 * {@code purgeAfter}).
 */
public record TargetLayout(String partitionBy, DeleteMode deletes, Duration purgeAfter) {

    public static final TargetLayout DEFAULT = new TargetLayout(null, DeleteMode.SOFT, TableSettings.DEFAULT_PURGE_AFTER);

    public TargetLayout {
        Objects.requireNonNull(deletes, "deletes");
        Objects.requireNonNull(purgeAfter, "purgeAfter");
    }

    public static TargetLayout of(TableSettings settings) {
        return new TargetLayout(settings.partitionBy(), settings.deletes(), settings.purgeAfter());
    }

    public boolean isDefault() {
        return partitionBy == null && deletes == DeleteMode.SOFT;
    }

    public boolean hardDeletes() {
        return deletes == DeleteMode.HARD;
    }
}
