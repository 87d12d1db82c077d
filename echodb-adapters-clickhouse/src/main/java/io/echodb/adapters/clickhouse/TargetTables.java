package io.echodb.adapters.clickhouse;

import static io.echodb.adapters.clickhouse.ClickHouseSql.identifier;

import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.port.out.TargetLayout;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.TableSchema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Creates, evolves, renames and drops one sink's target tables: the DDL side of {@link ClickHouseChangeSink}. What
 * it learns of a table goes to {@link KnownTargets}; DDL runs through {@link DdlStatements} (fenced for a leader).
 * Thread-safe.
 */
final class TargetTables {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TargetTables.class);

    /** ClickHouse's error code for a CREATE TABLE of an existing table. */
    private static final int TABLE_ALREADY_EXISTS = 57;

    private final ClickHouseGateway gateway;
    private final ClickHouseTypeMapper mapper;
    private final DropColumnPolicy dropColumnPolicy;
    private final TargetDdl ddl;
    private final KnownTargets known;
    private final DdlStatements statements;
    private volatile boolean databaseReady;

    TargetTables(ClickHouseGateway gateway, ClickHouseTypeMapper mapper, TargetDdl ddl, KnownTargets known,
            DdlStatements statements) {
        this.gateway = gateway;
        this.mapper = mapper;
        this.dropColumnPolicy = gateway.settings().dropColumnPolicy();
        this.ddl = ddl;
        this.known = known;
        this.statements = statements;
    }

    /**
     * The layout is chosen when the table is created; an existing table keeps its own (a mirror whose settings
     * changed is re-created with a new target, see docs/CONFIGURATION.md).
     */
    SchemaSync ensureTable(String target, TableSchema schema, TargetLayout layout) {
        if (layout.isMultiset() != schema.isMultiset()) {
            return new SchemaSync.Incompatible(layout.isMultiset() ? "a multiset layout needs a key-less table under"
                    + " REPLICA IDENTITY FULL" : schema.unsupportedReason().orElse("a key-less table needs a multiset layout"));
        }
        String problem = layout.isMultiset() ? null : schema.unsupportedReason().orElse(null);
        if (problem != null) {
            return new SchemaSync.Incompatible(problem);
        }
        ensureDatabase();
        // A table this sink does not know yet is usually new (a mirror being created): creating it straight away spares
        // a statement per table in a burst of new tables, and an existing one fails the CREATE and is read instead.
        TargetTable current = ddl.clustered() || known.has(target) ? known.load(target) : null;
        if (current == null) {
            Map<String, ChType> columns = new LinkedHashMap<>();
            schema.columns().forEach(c -> columns.put(c.name(), mapper.columnType(c, schema)));
            MetadataColumns keyed = MetadataColumns.avoiding(schema.columnNames());
            MetadataColumns metadata = layout.isMultiset() ? keyed.multiset() : keyed;
            List<String> sortBy = layout.isMultiset() ? layout.multisetOrder() : schema.keyColumns();
            // A partition expression may read any column: PostgreSQL's usual partition column, a timestamp, is nullable.
            boolean nullableKey = mapper.needsNullableKey(schema, sortBy)
                    || (layout.partitionBy() != null && columns.values().stream().anyMatch(ChType::isNullable));
            String create = ddl.createTable(target, columns, sortBy, nullableKey, layout, metadata);
            try {
                statements.execute(create, "create table " + target);
            } catch (ClickHouseRejectedException e) {
                if (e.code() != TABLE_ALREADY_EXISTS) {
                    throw e;
                }
                current = known.load(target);
                if (current == null) {
                    throw e; // dropped again meanwhile: the caller's retry creates it
                }
                return evolve(target, schema, current);
            }
            if (!keyed.equals(MetadataColumns.DEFAULT)) {
                LOG.info("target {}: the source has columns named like EchoDB's metadata; its metadata columns are {}",
                        target, metadata.names());
            }
            // Known without asking: what this statement created (a test compares it with ClickHouse's description).
            known.remember(target, TargetDdl.created(target, columns, sortBy, metadata));
            return new SchemaSync.Created(create);
        }
        return evolve(target, schema, current);
    }

    /** Cleanup merges (see {@link TargetDdl#createTable}) switched on or off; takes effect for the next merges. */
    void allowPurge(String target, boolean allowed) {
        statements.execute(ddl.alter(target, List.of(TargetDdl.purge(allowed))), (allowed ? "allow" : "stop") + " purging " + target);
    }

    boolean isCanonicalFor(String target, TableSchema schema) {
        TargetTable current = known.load(target);
        if (current == null) {
            return true;
        }
        for (Column c : schema.columns()) {
            ChType existing = current.type(c.name());
            // Nullability differs legitimately (columns added later are Nullable); the stored type must not.
            if (existing != null && !existing.base().equals(mapper.columnType(c, schema).base())) {
                return false;
            }
        }
        return true;
    }

    private SchemaSync evolve(String target, TableSchema schema, TargetTable current) {
        MetadataColumns metadata = current.metadata();
        if (metadata == null) {
            return new SchemaSync.Incompatible("table " + identifier(target) + " already exists in ClickHouse database "
                    + identifier(gateway.database()) + " but was not created by EchoDB (it has no " + ClickHouseChangeSink.VERSION_COLUMN
                    + " and " + ClickHouseChangeSink.DELETED_COLUMN + " columns); drop or rename it, or mirror into another table");
        }
        for (String name : schema.columnNames()) {
            if (metadata.contains(name)) {
                // The target's metadata names were chosen when no source column had them: a copy chooses others.
                return new SchemaSync.Incompatible("the source now has a column " + name + ", a metadata column of "
                        + identifier(target) + "; the table is rebuilt with other metadata names", true);
            }
        }
        if (metadata.isMultiset() != schema.isMultiset()) {
            return new SchemaSync.Incompatible(identifier(target) + (metadata.isMultiset()
                    ? " holds a key-less table's row images, but the source table has a key now"
                    : " is keyed, but the source table has no key now") + "; the table is rebuilt", true);
        }
        Set<String> sourceKey = new HashSet<>(schema.keyColumns());
        // A multiset's sorting key is its layout's (order_by, version, sign): the source has no key to compare.
        boolean keyOk = metadata.isMultiset() || (schema.identity() == ReplicaIdentity.FULL
                ? sourceKey.containsAll(current.sortingKey()) && !current.sortingKey().isEmpty()
                : sourceKey.equals(current.sortingKey()));
        if (!keyOk) {
            return new SchemaSync.Incompatible("the key of " + identifier(target) + " changed: ClickHouse sorts by "
                    + new TreeSet<>(current.sortingKey()) + " but the source key is now " + schema.keyColumns()
                    + "; resync the mirror to rebuild the table", true);
        }
        List<String> actions = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Column c : schema.columns()) {
            ChType wanted = mapper.columnType(c, schema);
            ChType existing = current.type(c.name());
            if (existing == null) {
                // Rows already in the table have no value for the new column: Nullable shows that honestly.
                ChType added = ChType.nullable(wanted);
                actions.add(TargetDdl.addColumn(c.name(), added));
                changes.add("added column " + c.name() + " " + added.sql());
                continue;
            }
            TypeEvolution.Decision d = TypeEvolution.decide(c.name(), existing, wanted, current.sortingKey().contains(c.name()));
            if (d instanceof TypeEvolution.Modify m) {
                actions.add(TargetDdl.modifyColumn(c.name(), m.to()));
                changes.add("changed column " + c.name() + " from " + existing.sql() + " to " + m.to().sql());
            } else if (d instanceof TypeEvolution.Incompatible inc) {
                problems.add(inc.reason());
            }
        }
        if (dropColumnPolicy == DropColumnPolicy.DROP) {
            for (String name : current.columns().keySet()) {
                if (!metadata.contains(name) && schema.indexOf(name) < 0 && !current.sortingKey().contains(name)) {
                    actions.add(TargetDdl.dropColumn(name));
                    changes.add("dropped column " + name);
                }
            }
        }
        if (!problems.isEmpty()) {
            return new SchemaSync.Incompatible("table " + identifier(target) + ": " + String.join("; ", problems), true);
        }
        if (actions.isEmpty()) {
            known.remember(target, current);
            return new SchemaSync.Unchanged();
        }
        statements.execute(ddl.alter(target, actions), "alter table " + target);
        known.reload(target);
        return new SchemaSync.Altered(changes);
    }

    void drop(String target) {
        statements.execute(ddl.drop(target), "drop table " + target);
        known.forget(target);
    }

    /**
     * {@code RENAME COLUMN}: values stay under the new names. Refused (false) for a sorting-key column, which
     * ClickHouse cannot rename, and for names that clash; a rename already done counts as done.
     */
    boolean renameColumns(String target, Map<String, String> renames) {
        TargetTable current = known.load(target);
        if (current == null) {
            return false;
        }
        List<String> actions = new ArrayList<>();
        for (Map.Entry<String, String> r : renames.entrySet()) {
            boolean hasOld = current.type(r.getKey()) != null;
            boolean hasNew = current.type(r.getValue()) != null;
            boolean metadataName = current.metadata() != null
                    && (current.metadata().contains(r.getKey()) || current.metadata().contains(r.getValue()));
            if (hasOld == hasNew || current.sortingKey().contains(r.getKey()) || metadataName) {
                if (!hasOld && hasNew) {
                    continue; // renamed by an earlier attempt
                }
                return false;
            }
            actions.add("RENAME COLUMN " + identifier(r.getKey()) + " TO " + identifier(r.getValue()));
        }
        if (actions.isEmpty()) {
            return true;
        }
        try {
            statements.execute(ddl.alter(target, actions), "rename columns of " + target);
        } catch (ClickHouseRejectedException e) {
            return false; // e.g. a column of the partition key
        } finally {
            known.reload(target);
        }
        return true;
    }

    /** {@code RENAME TABLE}: the rows (and their versions) stay; the fence token is checked like for any DDL. */
    boolean renameTable(String from, String to) {
        boolean hasFrom = known.load(from) != null;
        boolean hasTo = known.load(to) != null;
        if (hasFrom == hasTo) {
            return false;
        }
        if (hasFrom) {
            statements.execute(ddl.rename(from, to), "rename table " + from + " to " + to);
        }
        known.forget(from);
        known.reload(to);
        return true;
    }

    private void ensureDatabase() {
        if (databaseReady) {
            return;
        }
        gateway.createDatabaseIfMissing();
        databaseReady = true;
    }

}
