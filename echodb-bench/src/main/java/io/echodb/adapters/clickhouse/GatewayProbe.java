package io.echodb.adapters.clickhouse;

import java.util.List;
import java.util.Map;

/**
 * Benchmark-only access to the sink's insert path (in the adapter's package because that path is package-private):
 * sends ready RowBinary bytes exactly as {@link ClickHouseChangeSink#write} does, through
 * {@link ClickHouseGateway#insertRowBinary}, so the client's transport cost can be compared with a plain HTTP POST of
 * the same bytes. Not part of the product.
 */
public final class GatewayProbe {

    private GatewayProbe() {
    }

    /** Inserts {@code rowBinary} into {@code table} (quoted, database-qualified) with the quoted {@code columns}; returns nanoseconds. */
    public static long insert(ClickHouseGateway gateway, String table, List<String> columns, byte[] rowBinary) {
        RowBinaryOutput out = new RowBinaryOutput(rowBinary.length);
        out.writeRaw(rowBinary);
        long t0 = System.nanoTime();
        gateway.insertRowBinary(table, columns, out, Map.of(), "probe insert into " + table);
        return System.nanoTime() - t0;
    }
}
