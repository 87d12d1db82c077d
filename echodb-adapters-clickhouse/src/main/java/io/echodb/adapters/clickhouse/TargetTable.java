package io.echodb.adapters.clickhouse;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A target table as ClickHouse describes it: columns in order with their types, the sorting-key columns, and its
 * metadata columns (null when the table was not created by EchoDB).
 */
record TargetTable(String name, Map<String, ChType> columns, Set<String> sortingKey, MetadataColumns metadata) {

    TargetTable {
        columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        sortingKey = Set.copyOf(sortingKey);
    }

    /** The column's type, or null when the table has no such column. */
    ChType type(String column) {
        return columns.get(column);
    }
}
