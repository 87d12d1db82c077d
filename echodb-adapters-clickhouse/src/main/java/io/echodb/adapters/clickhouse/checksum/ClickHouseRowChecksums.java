package io.echodb.adapters.clickhouse.checksum;

import io.echodb.core.model.checksum.RowDigests;
import io.echodb.core.model.checksum.RowDigest;
import io.echodb.core.model.checksum.Query;
import io.echodb.core.model.checksum.HashRange;
import io.echodb.core.model.checksum.Digests;
import io.echodb.core.model.checksum.BucketDigest;
import static io.echodb.adapters.clickhouse.ClickHouseSql.identifier;
import static io.echodb.adapters.clickhouse.ClickHouseSql.literal;

import io.echodb.adapters.clickhouse.ChType;
import io.echodb.adapters.clickhouse.ClickHouseChangeSink;
import io.echodb.adapters.clickhouse.MetadataColumns;
import io.echodb.adapters.clickhouse.ClickHouseGateway;
import io.echodb.adapters.clickhouse.ClickHouseGateway.QueryResult;
import io.echodb.adapters.clickhouse.ClickHouseRejectedException;
import io.echodb.adapters.clickhouse.ClickHouseSql;
import io.echodb.adapters.clickhouse.ClickHouseTypeMapper;
import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.RowChecksums;
import io.echodb.core.schema.TableSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The target side of the checksum comparison: canonical row digests of a mirrored table computed by ClickHouse
 * ({@link ClickHouseCanonicalSql}) over the rows the native engine wrote. Without {@code asOf} the current rows are read
 * with {@code FINAL}; with {@code asOf} each key's latest version before that source position is taken (versions carry
 * the commit LSN in their high 64 bits), so changes applied after the source was read do not show up as differences,
 * and the newest stored version is reported so that versions beyond the source's WAL cannot hide behind {@code asOf}.
 * Needs the native engine's layout (its {@link MetadataColumns}: version and deletion flag).
 * Thread-safe.
 */
public final class ClickHouseRowChecksums implements RowChecksums {

    private static final String KH = identifier("#kh");
    private static final String TUPLE = identifier("#t");
    private static final String VERSIONS_BEFORE = identifier("#n");

    private final ClickHouseGateway gateway;
    private final Function<TableRef, String> targetTable;
    private final ClickHouseCanonicalSql canonical;

    /** @param targetTable the ClickHouse table that mirrors a source table (e.g. {@code WatchPolicy::targetTableFor}) */
    public ClickHouseRowChecksums(ClickHouseGateway gateway, Function<TableRef, String> targetTable) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        this.targetTable = Objects.requireNonNull(targetTable, "targetTable");
        this.canonical = new ClickHouseCanonicalSql(new ClickHouseTypeMapper(gateway.settings().jsonType()));
    }

    /** Columns present in the target, except those stored as ClickHouse JSON (it re-spells documents). */
    @Override
    public List<String> comparableColumns(TableSchema schema) {
        Map<String, ChType> stored = storedColumns(schema.table());
        List<String> out = new ArrayList<>();
        for (String c : schema.columnNames()) {
            ChType t = stored.get(c);
            if (t != null && !t.base().equals(ChType.JSON)) {
                out.add(c);
            }
        }
        return out;
    }

    @Override
    public Digests bucketDigests(Query query, int childBits) {
        int depth = query.ranges().get(0).bits();
        for (HashRange r : query.ranges()) {
            if (r.bits() != depth) {
                throw new IllegalArgumentException("ranges of one digest query must have one depth: " + query.ranges());
            }
        }
        int bits = depth + childBits;
        if (childBits < 0 || bits > KEY_HASH_BITS) {
            throw new IllegalArgumentException("cannot split ranges of depth " + depth + " by " + childBits + " more bits");
        }
        Target t = target(query);
        String bucket = "bitShiftRight(" + KH + ", " + (KEY_HASH_BITS - bits) + ")";
        Optional<Lsn> newest = query.asOf().isPresent() ? newest(t) : Optional.empty();
        boolean versions = needsVersions(query, newest);
        QueryResult result = gateway.query(digestSql(reading(query, t, versions), bucket, query), "digest rows of " + t.target());
        if (!versions && query.asOf().isPresent()) {
            // FINAL stands for "as of" only if no version from the position on existed while it read: look again after
            Optional<Lsn> after = newest(t);
            if (needsVersions(query, after)) {
                newest = after;
                result = gateway.query(digestSql(reading(query, t, true), bucket, query), "digest rows of " + t.target());
            }
        }
        List<BucketDigest> buckets = new ArrayList<>();
        for (Object[] row : result.rows()) {
            long rows = ((Number) row[1]).longValue();
            if (rows > 0) {
                buckets.add(new BucketDigest(new HashRange(bits, ((Number) row[0]).longValue()), rows, ((Number) row[2]).longValue()));
            }
        }
        return new Digests(buckets, query.asOf(), newest);
    }

    private String digestSql(Reading r, String bucket, Query query) {
        if (r.versions == null) {
            return "SELECT " + bucket + " AS b, count() AS n, sumWithOverflow(rh) AS d FROM (SELECT "
                    + r.keyHash + " AS " + KH + ", " + r.rowHash + " AS rh FROM " + r.table + " FINAL" + where(query) + ")"
                    + " GROUP BY b";
        }
        return "SELECT " + bucket + " AS b, countIf(live) AS n, sumWithOverflowIf(rh, live) AS d"
                + " FROM (SELECT " + KH + ", " + r.rowHash + " AS rh, " + r.live + " AS live FROM (" + r.versions + "))"
                + " GROUP BY b";
    }

    @Override
    public RowDigests rowDigests(Query query, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0: " + limit);
        }
        Target t = target(query);
        boolean versions = needsVersions(query, query.asOf().isPresent() ? newest(t) : Optional.empty());
        QueryResult result = gateway.query(rowSql(reading(query, t, versions), query, limit), "read row digests of " + t.target());
        if (!versions && query.asOf().isPresent() && needsVersions(query, newest(t))) {
            // a version from the position on arrived while FINAL read: FINAL no longer stands for "as of"
            result = gateway.query(rowSql(reading(query, t, true), query, limit), "read row digests of " + t.target());
        }
        List<RowDigest> rows = new ArrayList<>(result.rows().size());
        Set<String> unsettled = new HashSet<>();
        for (Object[] row : result.rows()) {
            String key = new String((byte[]) row[0], StandardCharsets.UTF_8);
            if (((Number) row[3]).longValue() == 0) {
                unsettled.add(key);
            } else {
                rows.add(new RowDigest(key, ((Number) row[1]).longValue(), ((Number) row[2]).longValue()));
            }
        }
        return new RowDigests(rows, unsettled, query.asOf());
    }

    private String rowSql(Reading r, Query query, int limit) {
        if (r.versions == null) {
            return "SELECT " + r.keyText + ", " + r.keyHash + " AS " + KH + ", " + r.rowHash + ", 1 FROM " + r.table + " FINAL"
                    + where(query) + " LIMIT " + limit;
        }
        // keys without any version before the position changed after it and lost their older versions to merges
        return "SELECT " + r.keyText + ", " + KH + ", " + r.rowHash + ", " + VERSIONS_BEFORE + " > 0 FROM (" + r.versions
                + ") WHERE " + VERSIONS_BEFORE + " = 0 OR " + r.live + " LIMIT " + limit;
    }

    /**
     * Reading as of a position needs the versions only when some stored version is from that position on; otherwise
     * the latest version of each key (FINAL, much cheaper) is the version before the position.
     */
    private static boolean needsVersions(Query query, Optional<Lsn> newest) {
        return query.asOf().isPresent() && (newest.isEmpty() || newest.get().compareTo(query.asOf().get()) >= 0);
    }

    /** The highest source position among all stored versions of the table (delete markers included), if any. */
    private Optional<Lsn> newest(Target t) {
        QueryResult result = gateway.query("SELECT toUInt64(bitShiftRight(max(" + t.version() + "), 64)), count() FROM "
                        + t.table(),
                "read the newest version in " + t.target());
        Object[] row = result.rows().get(0);
        return ((Number) row[1]).longValue() == 0 ? Optional.empty() : Optional.of(Lsn.of(((Number) row[0]).longValue()));
    }

    /** A target has no position of its own. */
    @Override
    public Optional<Lsn> currentPosition() {
        return Optional.empty();
    }

    /** The target table of a query: its name, quoted database-qualified name and stored column types. */
    private record Target(String target, String table, Map<String, ChType> stored, MetadataColumns metadata) {

        String version() {
            return identifier(metadata.version());
        }

        String deleted() {
            return identifier(metadata.deleted());
        }
    }

    /**
     * The expressions of one query: over the current rows ({@code FINAL}; {@code versions} and {@code live} null), or
     * over each key's latest version before {@code asOf} ({@code versions} is the subquery to read from).
     */
    private record Reading(String target, String table, String keyText, String keyHash, String rowHash, String versions,
                           String live) { }

    private Target target(Query query) {
        TableSchema schema = query.scope().schema();
        String target = targetTable.apply(schema.table());
        Map<String, ChType> stored = storedColumns(schema.table());
        for (String c : query.scope().columns()) {
            if (!stored.containsKey(c)) {
                throw ClickHouseRejectedException.byServer("digest rows of " + target, 0,
                        "column " + identifier(c) + " is missing in the target table", null);
            }
        }
        MetadataColumns metadata = MetadataColumns.read(gateway, target);
        if (metadata == null) {
            throw ClickHouseRejectedException.byServer("digest rows of " + target, 0, "table " + identifier(target)
                    + " has no metadata columns (" + ClickHouseChangeSink.VERSION_COLUMN + ", "
                    + ClickHouseChangeSink.DELETED_COLUMN + "): checksums need the native engine's layout", null);
        }
        return new Target(target, ClickHouseSql.table(gateway.database(), target), stored, metadata);
    }

    private Reading reading(Query query, Target t, boolean versionsBeforeAsOf) {
        TableSchema schema = query.scope().schema();
        Map<String, ChType> stored = t.stored();
        if (!versionsBeforeAsOf) {
            Function<String, String> raw = ClickHouseSql::identifier;
            String keyText = keyText(schema, stored, raw);
            return new Reading(t.target(), t.table(), keyText, ClickHouseCanonicalSql.keyHash(keyText),
                    ClickHouseCanonicalSql.rowHash(rowText(query, stored, raw)), null, null);
        }
        // Latest version of each key before the position: argMaxIf over a tuple, since argMax would skip NULL values.
        List<String> others = new ArrayList<>(query.scope().columns());
        others.removeAll(schema.keyColumns());
        Map<String, String> refs = new LinkedHashMap<>();
        List<String> tupled = new ArrayList<>();
        for (String k : schema.keyColumns()) {
            refs.put(k, identifier(k));
        }
        for (int i = 0; i < others.size(); i++) {
            refs.put(others.get(i), "tupleElement(" + TUPLE + ", " + (i + 1) + ")");
            tupled.add(identifier(others.get(i)));
        }
        tupled.add(t.deleted());
        String bound = "bitShiftLeft(toUInt128(" + Long.toUnsignedString(query.asOf().orElseThrow().value()) + "), 64)";
        String rawKeyText = keyText(schema, stored, ClickHouseSql::identifier);
        String versions = "SELECT " + ClickHouseCanonicalSql.keyHash(rawKeyText) + " AS " + KH + ", "
                + ClickHouseSql.identifiers(schema.keyColumns()) + ", "
                + "argMaxIf(tuple(" + String.join(", ", tupled) + "), " + t.version() + ", " + t.version() + " < " + bound
                + ") AS " + TUPLE + ", countIf(" + t.version() + " < " + bound + ") AS " + VERSIONS_BEFORE
                + " FROM " + t.table() + where(query)
                + " GROUP BY " + KH + ", " + ClickHouseSql.identifiers(schema.keyColumns());
        String live = "(" + VERSIONS_BEFORE + " > 0 AND tupleElement(" + TUPLE + ", " + tupled.size() + ") = 0)";
        String keyText = keyText(schema, stored, refs::get);
        return new Reading(t.target(), t.table(), keyText, KH, ClickHouseCanonicalSql.rowHash(rowText(query, stored, refs::get)),
                versions, live);
    }

    private String keyText(TableSchema schema, Map<String, ChType> stored, Function<String, String> ref) {
        List<String> parts = new ArrayList<>();
        for (String k : schema.keyColumns()) {
            parts.add(canonical.column(schema.column(k).orElseThrow().type(), stored.get(k), ref.apply(k)));
        }
        return ClickHouseCanonicalSql.join(parts);
    }

    private String rowText(Query query, Map<String, ChType> stored, Function<String, String> ref) {
        List<String> parts = new ArrayList<>();
        for (String c : query.scope().columns()) {
            parts.add(canonical.column(query.scope().schema().column(c).orElseThrow().type(), stored.get(c), ref.apply(c)));
        }
        return ClickHouseCanonicalSql.join(parts);
    }

    private static String where(Query query) {
        if (query.ranges().size() == 1 && query.ranges().get(0).bits() == 0) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (HashRange r : query.ranges()) {
            parts.add(KH + " BETWEEN " + r.first() + " AND " + r.last());
        }
        return " WHERE " + String.join(" OR ", parts);
    }

    /** Columns of the target table with their stored types; rejects tables the native engine did not lay out. */
    private Map<String, ChType> storedColumns(TableRef source) {
        String target = targetTable.apply(source);
        QueryResult result = gateway.query("SELECT name, type FROM system.columns WHERE database = "
                + literal(gateway.database()) + " AND table = " + literal(target) + " ORDER BY position",
                "describe " + target);
        Map<String, ChType> columns = new LinkedHashMap<>();
        for (Object[] row : result.rows()) {
            columns.put(new String((byte[]) row[0], StandardCharsets.UTF_8),
                    ChType.parse(new String((byte[]) row[1], StandardCharsets.UTF_8)));
        }
        if (columns.isEmpty()) {
            throw ClickHouseRejectedException.byServer("digest rows of " + target, 60,
                    "table " + ClickHouseSql.table(gateway.database(), target) + " does not exist", null);
        }
        return columns;
    }
}
