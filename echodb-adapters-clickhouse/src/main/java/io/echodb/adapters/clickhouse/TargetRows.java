package io.echodb.adapters.clickhouse;

import static io.echodb.adapters.clickhouse.ClickHouseSql.identifier;
import static io.echodb.adapters.clickhouse.ClickHouseSql.literal;

import io.echodb.adapters.clickhouse.ClickHouseGateway.QueryResult;
import io.echodb.adapters.clickhouse.ValueWriters.ColumnWriter;
import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.schema.Column;
import io.echodb.core.port.out.TargetMissingException;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Moves rows in and out of one sink's target tables: RowBinary batches written (for a leader, only while its fence
 * token is current), the stored rows of given keys read back, a table emptied. Thread-safe.
 */
final class TargetRows {

    /** Encoded key bytes per {@link #latestRows} query: the hex literal stays far below max_query_size (256 KiB). */
    private static final int KEY_CHUNK_BYTES = 48 * 1024;
    private static final Map<String, String> JSON_INPUT = Map.of("input_format_binary_read_json_as_string", "1");
    private static final Map<String, String> JSON_OUTPUT = Map.of("output_format_binary_write_json_as_string", "1");

    private final ClickHouseGateway gateway;
    private final TargetDdl ddl;
    private final KnownTargets known;
    /** Null for an unfenced sink. */
    private final TargetFence fence;

    TargetRows(ClickHouseGateway gateway, TargetDdl ddl, KnownTargets known, TargetFence fence) {
        this.gateway = gateway;
        this.ddl = ddl;
        this.known = known;
        this.fence = fence;
    }

    void write(String target, TableSchema schema, List<SinkRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        KnownTargets.WritePlan plan = known.plan(target, schema);
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
            known.forget(target);
            if (e.code() == UNKNOWN_TABLE) {
                throw TargetMissingException.of(target, e.getMessage());
            }
            throw e;
        }
    }

    /** ClickHouse's error code for a table that does not exist. */
    private static final int UNKNOWN_TABLE = 60;

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

    Map<RowKey, SinkRow> latestRows(String target, TableSchema schema, Collection<RowKey> keys) {
        if (keys.isEmpty()) {
            return Map.of();
        }
        KnownTargets.WritePlan plan = known.plan(target, schema);
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

    private void lookUp(String target, TableSchema schema, KnownTargets.WritePlan plan, int[] keyIdx, RowBinaryOutput keyData,
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

    private static void encodeKey(String target, KnownTargets.WritePlan plan, int[] keyIdx, IntFunction<Object> value,
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
     * Empties {@code target}. A fenced sink cannot send TRUNCATE (it takes no condition, and a stalled former leader's late one
     * would empty a table a newer leader had filled): it deletes every row with a lightweight DELETE conditional on
     * its token, which ClickHouse evaluates when the statement runs.
     */
    void truncate(String target) {
        String what = "truncate table " + target;
        if (fence == null) {
            gateway.execute(ddl.truncate(target), what);
            return;
        }
        fence.claimOnce();
        if (known.load(target) != null) {
            gateway.execute(ddl.deleteWhere(target, fence.stillCurrent()), what, TargetDdl.DELETE_SETTINGS, fence.queryId());
        }
    }

}
