package io.echodb.adapters.clickhouse;

import static io.echodb.adapters.clickhouse.ClickHouseSql.identifier;
import static io.echodb.adapters.clickhouse.ClickHouseSql.literal;

import io.echodb.adapters.clickhouse.ClickHouseGateway.QueryResult;
import io.echodb.adapters.clickhouse.ValueWriters.ColumnWriter;
import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.port.ChangeSink;
import io.echodb.core.port.SchemaSync;
import io.echodb.core.port.TargetLayout;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * The native engine's ClickHouse side. Each target table holds the source columns (same names) plus
 * {@value #VERSION_COLUMN} UInt128 (high 64 bits = commit LSN, low 64 bits = ordinal), {@value #DELETED_COLUMN} UInt8
 * and {@value #SYNCED_AT_COLUMN} DateTime64(3,'UTC'), in a {@code ReplacingMergeTree(version, is_deleted)} ordered by
 * the source key, so {@code SELECT … FINAL} shows exactly the current source rows. Rows travel as RowBinary batches
 * encoded here. A sink {@link #fencedBy fenced} by a leader's token has ClickHouse refuse its writes once a newer
 * leader claimed the database ({@link TargetFence}). Thread-safe; one instance serves every table of a database.
 */
public final class ClickHouseChangeSink implements ChangeSink {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClickHouseChangeSink.class);

    /** The default metadata names; a table whose source uses one of them gets others ({@link MetadataColumns}). */
    public static final String VERSION_COLUMN = MetadataColumns.DEFAULT.version();
    public static final String DELETED_COLUMN = MetadataColumns.DEFAULT.deleted();
    public static final String SYNCED_AT_COLUMN = MetadataColumns.DEFAULT.syncedAt();

    /** Encoded key bytes per {@link #currentRows} query: the hex literal stays far below max_query_size (256 KiB). */
    private static final int KEY_CHUNK_BYTES = 48 * 1024;
    private static final Map<String, String> JSON_INPUT = Map.of("input_format_binary_read_json_as_string", "1");
    private static final Map<String, String> JSON_OUTPUT = Map.of("output_format_binary_write_json_as_string", "1");

    private final ClickHouseGateway gateway;
    private final ClickHouseTypeMapper mapper;
    private final DropColumnPolicy dropColumnPolicy;
    private final TargetDdl ddl;
    private final ConcurrentMap<String, TargetTable> tables = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, WritePlan> plans = new ConcurrentHashMap<>();
    /** Null for an unfenced sink. */
    private final TargetFence fence;
    private volatile boolean databaseReady;

    /** A sink writing into {@code gateway}'s database with its settings' JSON flag, cluster and drop-column policy. */
    public ClickHouseChangeSink(ClickHouseGateway gateway) {
        this(gateway, null);
    }

    private ClickHouseChangeSink(ClickHouseGateway gateway, TargetFence fence) {
        this.gateway = gateway;
        ClickHouseSettings settings = gateway.settings();
        this.mapper = new ClickHouseTypeMapper(settings.jsonType());
        this.dropColumnPolicy = settings.dropColumnPolicy();
        this.ddl = new TargetDdl(settings.database(), settings.cluster());
        this.fence = fence;
    }

    /**
     * The same sink for a leader holding fencing {@code token} of the lock {@code fenceName} (I4): its first write claims
     * the database for the token, and from the moment a newer leader has claimed it, its row writes and removals take
     * no effect in ClickHouse (and fail with {@link io.echodb.core.port.FencedOutException}), its DDL is refused.
     */
    public ClickHouseChangeSink fencedBy(String fenceName, long token) {
        return new ClickHouseChangeSink(gateway, new TargetFence(gateway, fenceName, token));
    }

    /** Runs DDL: for a fenced sink only while its token is current, under a query id a newer claim waits for. */
    private void executeDdl(String sql, String what) {
        if (fence == null) {
            gateway.execute(sql, what);
            return;
        }
        fence.requireCurrent(what);
        gateway.execute(sql, what, Map.of(), fence.queryId());
    }

    public ClickHouseTypeMapper typeMapper() {
        return mapper;
    }

    @Override
    public SchemaSync ensureTable(String target, TableSchema schema) {
        return ensureTable(target, schema, TargetLayout.DEFAULT);
    }

    /**
     * The layout is chosen when the table is created; an existing table keeps its own (a mirror whose settings
     * changed is re-created with a new target, see docs/CONFIGURATION.md).
     */
    @Override
    public SchemaSync ensureTable(String target, TableSchema schema, TargetLayout layout) {
        requireTarget(target);
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
        TargetTable current = ddl.clustered() || tables.containsKey(target) ? load(target) : null;
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
                executeDdl(create, "create table " + target);
            } catch (ClickHouseRejectedException e) {
                if (e.code() != TABLE_ALREADY_EXISTS) {
                    throw e;
                }
                current = load(target);
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
            tables.put(target, TargetDdl.created(target, columns, sortBy, metadata));
            plans.remove(target);
            return new SchemaSync.Created(create);
        }
        return evolve(target, schema, current);
    }

    /** ClickHouse's error code for a CREATE TABLE of an existing table. */
    private static final int TABLE_ALREADY_EXISTS = 57;

    /** Cleanup merges (see {@link TargetDdl#createTable}) switched on or off; takes effect for the next merges. */
    @Override
    public void allowPurge(String target, boolean allowed) {
        requireTarget(target);
        executeDdl(ddl.alter(target, List.of(TargetDdl.purge(allowed))), (allowed ? "allow" : "stop") + " purging " + target);
    }

    @Override
    public boolean isCanonicalFor(String target, TableSchema schema) {
        requireTarget(target);
        TargetTable current = load(target);
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
                    + identifier(gateway.database()) + " but was not created by EchoDB (it has no " + VERSION_COLUMN
                    + " and " + DELETED_COLUMN + " columns); drop or rename it, or mirror into another table");
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
            tables.put(target, current);
            return new SchemaSync.Unchanged();
        }
        executeDdl(ddl.alter(target, actions), "alter table " + target);
        reload(target);
        return new SchemaSync.Altered(changes);
    }

    @Override
    public void write(String target, TableSchema schema, List<SinkRow> rows) {
        requireTarget(target);
        if (rows.isEmpty()) {
            return;
        }
        WritePlan plan = plan(target, schema);
        boolean multiset = plan.table().metadata().isMultiset();
        int width = schema.columns().size();
        RowBinaryOutput out = new RowBinaryOutput(initialBufferBytes(rows.size(), width));
        for (int r = 0; r < rows.size(); r++) {
            SinkRow sinkRow = rows.get(r);
            Row row = sinkRow.row();
            if (row.size() != width) {
                throw new IllegalArgumentException("row " + r + " for " + target + " has " + row.size()
                        + " values but the schema has " + width + " columns");
            }
            if (row.hasUnchangedToast()) {
                throw new IllegalArgumentException("row " + r + " for " + target + " still holds an unchanged-TOAST marker;"
                        + " the engine must fill it from currentRows before writing: " + row);
            }
            // A multiset table's −1 row is a whole row image, written like any other.
            boolean deletionMarker = sinkRow.deleted() && !multiset;
            for (int i = 0; i < width; i++) {
                ColumnWriter w = plan.writers()[i];
                try {
                    w.write(out, row.get(i), deletionMarker);
                } catch (BadValueException | ArithmeticException e) {
                    throw ClickHouseRejectedException.badData(target, "row " + r + ", column " + identifier(w.column())
                            + ": " + e.getMessage());
                }
            }
            RowVersion v = sinkRow.version();
            out.writeUInt128(v.lsn(), v.ordinal());
            out.writeByte(deletionMarker ? 1 : 0);
            if (multiset) {
                out.writeByte(sinkRow.deleted() ? -1 : 1);
            }
        }
        String what = "write " + rows.size() + " rows to " + target;
        Map<String, String> settings = plan.jsonColumns() ? JSON_INPUT : Map.of();
        try {
            if (fence == null) {
                gateway.insertRowBinary(ddl.table(target), plan.insertColumns(), out, settings, what);
            } else {
                fence.claimOnce();
                long written = gateway.insertRowBinaryWhere(ddl.table(target), plan.insertColumns(), plan.inputStructure(),
                        fence.stillCurrent(), out, settings, fence.queryId(), what);
                if (written == 0) {
                    fence.requireCurrent(what); // else a replicated table deduplicated a repeated block
                }
            }
        } catch (ClickHouseRejectedException e) {
            // The table may have been changed behind this instance's back: describe it afresh before the next attempt.
            tables.remove(target);
            plans.remove(target);
            throw e;
        }
    }

    /** Most a write reserves up front; a larger batch grows its buffer as it is encoded (by doubling). */
    static final int MAX_PREALLOCATED_BYTES = 4 << 20;

    /**
     * The buffer a batch starts with: a guess from rows × columns, capped, so that a wide table's batch of short rows
     * does not reserve hundreds of megabytes (and rows × columns cannot overflow an int).
     */
    static int initialBufferBytes(int rows, int width) {
        long guess = (long) rows * (16L + 12L * width);
        return (int) Math.min(guess, MAX_PREALLOCATED_BYTES);
    }

    @Override
    public Map<RowKey, SinkRow> latestRows(String target, TableSchema schema, Collection<RowKey> keys) {
        requireTarget(target);
        if (keys.isEmpty()) {
            return Map.of();
        }
        WritePlan plan = plan(target, schema);
        int[] keyIdx = schema.keyIndexes();
        if (keyIdx.length == 0) {
            throw new IllegalArgumentException("table " + schema.table() + " has no key columns to look rows up by");
        }
        Map<RowKey, SinkRow> found = new HashMap<>();
        Map<ByteBuffer, RowKey> wanted = new HashMap<>();
        RowBinaryOutput chunk = new RowBinaryOutput(KEY_CHUNK_BYTES + 1024);
        RowBinaryOutput one = new RowBinaryOutput(256);
        for (RowKey key : keys) {
            if (key.size() != keyIdx.length) {
                throw new IllegalArgumentException("key " + key + " has " + key.size() + " values but " + target
                        + " has " + keyIdx.length + " key columns");
            }
            one.reset();
            encodeKey(target, plan, keyIdx, key::get, one);
            ByteBuffer bytes = ByteBuffer.wrap(one.toByteArray());
            if (wanted.putIfAbsent(bytes, key) == null) {
                chunk.writeRaw(bytes.array());
            }
            if (chunk.size() >= KEY_CHUNK_BYTES) {
                lookUp(target, schema, plan, keyIdx, chunk, wanted, found);
                chunk.reset();
            }
        }
        if (chunk.size() > 0) {
            lookUp(target, schema, plan, keyIdx, chunk, wanted, found);
        }
        return found;
    }

    private void lookUp(String target, TableSchema schema, WritePlan plan, int[] keyIdx, RowBinaryOutput keyData,
            Map<ByteBuffer, RowKey> wanted, Map<RowKey, SinkRow> found) {
        List<String> keyColumns = schema.keyColumns();
        StringBuilder structure = new StringBuilder();
        StringBuilder probe = new StringBuilder();
        for (int j = 0; j < keyIdx.length; j++) {
            structure.append(j == 0 ? "" : ", ").append("c").append(j).append(' ')
                    .append(plan.table().type(keyColumns.get(j)).sql());
            probe.append(j == 0 ? "" : ", ").append("c").append(j);
        }
        String keyTuple = keyIdx.length == 1 ? identifier(keyColumns.get(0))
                : "(" + ClickHouseSql.identifiers(keyColumns) + ")";
        String version = identifier(plan.table().metadata().version());
        String sql = "SELECT " + ClickHouseSql.identifiers(schema.columnNames())
                + ", toUInt64(bitShiftRight(" + version + ", 64)), toUInt64(bitAnd(" + version + ", 18446744073709551615))"
                + " FROM " + ddl.table(target) + " FINAL"
                + " WHERE " + keyTuple + " IN (SELECT " + probe + " FROM format(RowBinary, " + literal(structure.toString())
                + ", unhex('" + keyData.toHex() + "')))"
                + " SETTINGS transform_null_in = 1";
        QueryResult result = gateway.query(sql, "read current rows of " + target,
                plan.jsonColumns() ? JSON_OUTPUT : Map.of());
        List<Column> columns = schema.columns();
        RowBinaryOutput one = new RowBinaryOutput(256);
        for (Object[] raw : result.rows()) {
            Object[] values = new Object[columns.size()];
            for (int i = 0; i < values.length; i++) {
                try {
                    values[i] = ValueReaders.toNeutral(columns.get(i).type(), raw[i]);
                } catch (BadValueException | ClassCastException e) {
                    throw ClickHouseRejectedException.badData(target, "column " + identifier(columns.get(i).name())
                            + " holds a value the source type cannot take: " + e.getMessage());
                }
            }
            one.reset();
            encodeKey(target, plan, keyIdx, j -> values[keyIdx[j]], one);
            RowKey requested = wanted.get(ByteBuffer.wrap(one.toByteArray()));
            if (requested != null) {
                for (int j = 0; j < keyIdx.length; j++) {
                    values[keyIdx[j]] = requested.get(j); // the caller's exact key values (clamping may have changed them)
                }
                int v = columns.size();
                RowVersion stored = new RowVersion(((Number) raw[v]).longValue(), ((Number) raw[v + 1]).longValue());
                found.put(requested, new SinkRow(Row.wrap(values), stored, false));
            }
        }
    }

    private static void encodeKey(String target, WritePlan plan, int[] keyIdx, IntFunction<Object> value,
            RowBinaryOutput out) {
        for (int j = 0; j < keyIdx.length; j++) {
            ColumnWriter w = plan.writers()[keyIdx[j]];
            try {
                w.write(out, value.apply(j), false);
            } catch (BadValueException | ArithmeticException e) {
                throw ClickHouseRejectedException.badData(target, "key column " + identifier(w.column()) + ": " + e.getMessage());
            }
        }
    }

    /**
     * {@inheritDoc} A fenced sink cannot send TRUNCATE (it takes no condition, and a stalled former leader's late one
     * would empty a table a newer leader had filled): it deletes every row with a lightweight DELETE conditional on
     * its token, which ClickHouse evaluates when the statement runs.
     */
    @Override
    public void truncate(String target) {
        requireTarget(target);
        String what = "truncate table " + target;
        if (fence == null) {
            gateway.execute(ddl.truncate(target), what);
            return;
        }
        fence.claimOnce();
        if (load(target) != null) {
            gateway.execute(ddl.deleteWhere(target, fence.stillCurrent()), what, TargetDdl.DELETE_SETTINGS, fence.queryId());
        }
    }

    @Override
    public void drop(String target) {
        requireTarget(target);
        executeDdl(ddl.drop(target), "drop table " + target);
        tables.remove(target);
        plans.remove(target);
    }

    /**
     * {@code RENAME COLUMN}: values stay under the new names. Refused (false) for a sorting-key column, which
     * ClickHouse cannot rename, and for names that clash; a rename already done counts as done.
     */
    @Override
    public boolean renameColumns(String target, Map<String, String> renames) {
        requireTarget(target);
        TargetTable current = load(target);
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
            executeDdl(ddl.alter(target, actions), "rename columns of " + target);
        } catch (ClickHouseRejectedException e) {
            return false; // e.g. a column of the partition key
        } finally {
            reload(target);
        }
        return true;
    }

    /** {@code RENAME TABLE}: the rows (and their versions) stay; the fence token is checked like for any DDL. */
    @Override
    public boolean renameTable(String from, String to) {
        requireTarget(from);
        requireTarget(to);
        boolean hasFrom = load(from) != null;
        boolean hasTo = load(to) != null;
        if (hasFrom == hasTo) {
            return false;
        }
        if (hasFrom) {
            executeDdl(ddl.rename(from, to), "rename table " + from + " to " + to);
        }
        tables.remove(from);
        plans.remove(from);
        reload(to);
        return true;
    }

    /** The columns of {@code target} as ClickHouse reports them, or empty when the table does not exist. */
    public Map<String, String> describe(String target) {
        TargetTable t = load(target);
        if (t == null) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        t.columns().forEach((name, type) -> out.put(name, type.sql()));
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** What {@link #write} needs for one (target, schema): writers for the target's actual column types. */
    private record WritePlan(TableSchema schema, TargetTable table, ColumnWriter[] writers, List<String> insertColumns,
            String inputStructure, boolean jsonColumns) {
    }

    private WritePlan plan(String target, TableSchema schema) {
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
            throw ClickHouseRejectedException.badData(target, "the table does not exist in database "
                    + identifier(gateway.database()) + "; ensureTable must run first");
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

    private TargetTable reload(String target) {
        TargetTable t = load(target);
        if (t == null) {
            tables.remove(target);
        } else {
            tables.put(target, t);
        }
        plans.remove(target);
        return t;
    }

    /** Test hook: the table as this sink knows it (null when not known), and as ClickHouse describes it now. */
    TargetTable known(String target) {
        return tables.get(target);
    }

    TargetTable described(String target) {
        return load(target);
    }

    /** The table as ClickHouse describes it (columns, sorting key and engine in one query), or null when missing. */
    private TargetTable load(String target) {
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

    private void ensureDatabase() {
        if (databaseReady) {
            return;
        }
        gateway.createDatabaseIfMissing();
        databaseReady = true;
    }

    private static void requireTarget(String target) {
        if (target == null || target.isEmpty() || target.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid target table name '" + target + "'");
        }
        if (target.equals(TargetFence.TABLE)) {
            throw new IllegalArgumentException("target table name '" + target + "' is reserved for EchoDB's fence");
        }
    }
}
