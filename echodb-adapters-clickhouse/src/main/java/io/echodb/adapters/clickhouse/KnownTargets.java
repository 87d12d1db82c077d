package io.echodb.adapters.clickhouse;

import static io.echodb.adapters.clickhouse.ClickHouseSql.identifier;
import static io.echodb.adapters.clickhouse.ClickHouseSql.literal;

import io.echodb.adapters.clickhouse.ClickHouseGateway.QueryResult;
import io.echodb.adapters.clickhouse.ValueWriters.ColumnWriter;
import io.echodb.core.schema.Column;
import io.echodb.core.port.out.TargetMissingException;
import io.echodb.core.schema.TableSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;

/**
 * What one sink knows of its target tables (columns, sorting key, metadata names) and how it writes each: read from
 * ClickHouse once and kept until this sink's own DDL or a rejected write says it may be stale. The one owner of that
 * knowledge. Thread-safe.
 */
final class KnownTargets {

    private final ClickHouseGateway gateway;
    private final ConcurrentMap<String, TargetTable> tables = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, WritePlan> plans = new ConcurrentHashMap<>();

    KnownTargets(ClickHouseGateway gateway) {
        this.gateway = gateway;
    }

    /** Whether this sink has {@code target} in memory (it may still be stale). */
    boolean has(String target) {
        return tables.containsKey(target);
    }

    /** The table as this sink knows it, or null when not known. */
    TargetTable known(String target) {
        return tables.get(target);
    }

    /** {@code table} is what {@code target} is now (this sink just created or checked it). */
    void remember(String target, TargetTable table) {
        tables.put(target, table);
        plans.remove(target);
    }

    /** {@code target} may have changed behind this sink's back, or is gone: read it afresh next time. */
    void forget(String target) {
        tables.remove(target);
        plans.remove(target);
    }

    /** What a write needs for one (target, schema): writers for the target's actual column types. */
    record WritePlan(TableSchema schema, TargetTable table, ColumnWriter[] writers, List<String> insertColumns,
            String inputStructure, boolean jsonColumns) {
    }

    WritePlan plan(String target, TableSchema schema) {
        WritePlan cached = plans.get(target);
        TargetTable table = tables.get(target);
        if (cached != null && cached.table() == table && cached.schema().equals(schema)) {
            return cached;
        }
        table = tableWithColumns(target, schema, table);
        ColumnWriter[] writers = new ColumnWriter[schema.columns().size()];
        List<String> insertColumns = new ArrayList<>();
        StringBuilder structure = new StringBuilder();
        boolean json = false;
        for (int i = 0; i < writers.length; i++) {
            Column c = schema.columns().get(i);
            ChType type = table.type(c.name());
            try {
                writers[i] = new ColumnWriter(c.name(), type, c.type(), schema.keyColumns().contains(c.name()));
            } catch (BadValueException e) {
                throw ClickHouseRejectedException.badData(target, "column " + identifier(c.name()) + ": " + e.getMessage());
            }
            insertColumns.add(identifier(c.name()));
            structure.append(identifier(c.name())).append(' ').append(type.sql()).append(", ");
            json |= containsJson(type);
        }
        MetadataColumns metadata = table.metadata();
        if (metadata == null) {
            throw ClickHouseRejectedException.badData(target, "the table was not created by EchoDB (no metadata columns)");
        }
        insertColumns.add(identifier(metadata.version()));
        insertColumns.add(identifier(metadata.deleted()));
        structure.append(identifier(metadata.version())).append(" UInt128, ").append(identifier(metadata.deleted()))
                .append(" UInt8");
        if (metadata.isMultiset()) {
            insertColumns.add(identifier(metadata.sign()));
            structure.append(", ").append(identifier(metadata.sign())).append(" Int8");
        }
        WritePlan plan = new WritePlan(schema, table, writers, List.copyOf(insertColumns), structure.toString(), json);
        plans.put(target, plan);
        return plan;
    }

    /** The target table, reloaded once if it is unknown or lacks a column of {@code schema}. */
    private TargetTable tableWithColumns(String target, TableSchema schema, TargetTable known) {
        TargetTable table = known;
        if (table == null || missingColumns(table, schema).size() > 0) {
            table = reload(target);
        }
        if (table == null) {
            throw TargetMissingException.of(target, "no such table in database " + identifier(gateway.database()));
        }
        List<String> missing = missingColumns(table, schema);
        if (!missing.isEmpty()) {
            throw ClickHouseRejectedException.badData(target, "the table has no column(s) " + missing
                    + "; ensureTable must run after the source schema changed");
        }
        return table;
    }

    private static List<String> missingColumns(TargetTable table, TableSchema schema) {
        return schema.columnNames().stream().filter(n -> table.type(n) == null).collect(Collectors.toList());
    }

    private static boolean containsJson(ChType type) {
        ChType base = type.base();
        if (base instanceof ChType.Array a) {
            return containsJson(a.element());
        }
        return base.equals(ChType.JSON);
    }

    TargetTable reload(String target) {
        TargetTable t = load(target);
        if (t == null) {
            tables.remove(target);
        } else {
            tables.put(target, t);
        }
        plans.remove(target);
        return t;
    }

    /** The table as ClickHouse describes it (columns, sorting key and engine in one query), or null when missing. */
    TargetTable load(String target) {
        QueryResult r = gateway.query("SELECT c.name, c.type, c.is_in_sorting_key, t.engine_full FROM system.columns c"
                + " JOIN system.tables t ON t.database = c.database AND t.name = c.table WHERE c.database = "
                + literal(gateway.database()) + " AND c.table = " + literal(target) + " ORDER BY c.position",
                "describe table " + target);
        if (r.rows().isEmpty()) {
            return null;
        }
        Map<String, ChType> columns = new LinkedHashMap<>();
        Set<String> key = new HashSet<>();
        String engine = null;
        for (Object[] row : r.rows()) {
            String name = new String((byte[]) row[0], StandardCharsets.UTF_8);
            columns.put(name, ChType.parse(new String((byte[]) row[1], StandardCharsets.UTF_8)));
            if (((Number) row[2]).longValue() != 0) {
                key.add(name);
            }
            engine = new String((byte[]) row[3], StandardCharsets.UTF_8);
        }
        return new TargetTable(target, columns, key, MetadataColumns.fromEngine(engine, columns.keySet(), key));
    }

}
