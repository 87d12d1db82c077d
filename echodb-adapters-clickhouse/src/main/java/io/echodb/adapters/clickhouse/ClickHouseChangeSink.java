package io.echodb.adapters.clickhouse;

import io.echodb.core.change.SinkRow;
import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.port.out.TargetLayout;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The native engine's ClickHouse side. Each target table holds the source columns (same names) plus
 * {@value #VERSION_COLUMN} UInt128 (high 64 bits = commit LSN, low 64 bits = ordinal), {@value #DELETED_COLUMN} UInt8
 * and {@value #SYNCED_AT_COLUMN} DateTime64(3,'UTC'), in a {@code ReplacingMergeTree(version, is_deleted)} ordered by
 * the source key, so {@code SELECT … FINAL} shows exactly the current source rows. Rows travel as RowBinary batches
 * encoded here. A sink {@link #fencedBy fenced} by a leader's token has ClickHouse refuse its writes once a newer
 * leader claimed the database ({@link TargetFence}). Thread-safe; one instance serves every table of a database.
 *
 * <p>The work is split by side: {@link TargetTables} shapes tables, {@link TargetRows} moves rows, {@link KnownTargets}
 * holds what the sink knows of each table.
 */
public final class ClickHouseChangeSink implements ChangeSink {

    /** The default metadata names; a table whose source uses one of them gets others ({@link MetadataColumns}). */
    public static final String VERSION_COLUMN = MetadataColumns.DEFAULT.version();
    public static final String DELETED_COLUMN = MetadataColumns.DEFAULT.deleted();
    public static final String SYNCED_AT_COLUMN = MetadataColumns.DEFAULT.syncedAt();

    private final ClickHouseGateway gateway;
    private final ClickHouseTypeMapper mapper;
    private final KnownTargets known;
    private final TargetTables tables;
    private final TargetRows rows;

    /** A sink writing into {@code gateway}'s database with its settings' JSON flag, cluster and drop-column policy. */
    public ClickHouseChangeSink(ClickHouseGateway gateway) {
        this(gateway, null);
    }

    private ClickHouseChangeSink(ClickHouseGateway gateway, TargetFence fence) {
        this.gateway = gateway;
        ClickHouseSettings settings = gateway.settings();
        this.mapper = new ClickHouseTypeMapper(settings.jsonType());
        TargetDdl ddl = new TargetDdl(settings.database(), settings.cluster());
        this.known = new KnownTargets(gateway);
        this.tables = new TargetTables(gateway, mapper, ddl, known, new DdlStatements(gateway, fence));
        this.rows = new TargetRows(gateway, ddl, known, fence);
    }

    /**
     * The same sink for a leader holding fencing {@code token} of the lock {@code fenceName} (I4): its first write claims
     * the database for the token, and from the moment a newer leader has claimed it, its row writes and removals take
     * no effect in ClickHouse (and fail with {@link io.echodb.core.port.out.FencedOutException}), its DDL is refused.
     */
    public ClickHouseChangeSink fencedBy(String fenceName, long token) {
        return new ClickHouseChangeSink(gateway, new TargetFence(gateway, fenceName, token));
    }

    public ClickHouseTypeMapper typeMapper() {
        return mapper;
    }

    @Override
    public SchemaSync ensureTable(String target, TableSchema schema) {
        return ensureTable(target, schema, TargetLayout.DEFAULT);
    }

    /** See {@link TargetTables#ensureTable}. */
    @Override
    public SchemaSync ensureTable(String target, TableSchema schema, TargetLayout layout) {
        requireTarget(target);
        return tables.ensureTable(target, schema, layout);
    }

    /** Cleanup merges (see {@link TargetDdl#createTable}) switched on or off; takes effect for the next merges. */
    @Override
    public void allowPurge(String target, boolean allowed) {
        requireTarget(target);
        tables.allowPurge(target, allowed);
    }

    @Override
    public boolean isCanonicalFor(String target, TableSchema schema) {
        requireTarget(target);
        return tables.isCanonicalFor(target, schema);
    }

    @Override
    public void write(String target, TableSchema schema, List<SinkRow> batch) {
        requireTarget(target);
        rows.write(target, schema, batch);
    }

    @Override
    public Map<RowKey, SinkRow> latestRows(String target, TableSchema schema, Collection<RowKey> keys) {
        requireTarget(target);
        return rows.latestRows(target, schema, keys);
    }

    /** {@inheritDoc} See {@link TargetRows#truncate} for a fenced sink. */
    @Override
    public void truncate(String target) {
        requireTarget(target);
        rows.truncate(target);
    }

    @Override
    public void drop(String target) {
        requireTarget(target);
        tables.drop(target);
    }

    /** See {@link TargetTables#renameColumns}. */
    @Override
    public boolean renameColumns(String target, Map<String, String> renames) {
        requireTarget(target);
        return tables.renameColumns(target, renames);
    }

    /** See {@link TargetTables#renameTable}. */
    @Override
    public boolean renameTable(String from, String to) {
        requireTarget(from);
        requireTarget(to);
        return tables.renameTable(from, to);
    }

    /** The columns of {@code target} as ClickHouse reports them, or empty when the table does not exist. */
    public Map<String, String> describe(String target) {
        TargetTable t = known.load(target);
        if (t == null) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        t.columns().forEach((name, type) -> out.put(name, type.sql()));
        return out;
    }

    /** Test hook: the table as this sink knows it (null when not known), and as ClickHouse describes it now. */
    TargetTable known(String target) {
        return known.known(target);
    }

    TargetTable described(String target) {
        return known.load(target);
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
