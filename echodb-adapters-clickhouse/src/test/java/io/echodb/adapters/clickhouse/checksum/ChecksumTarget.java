package io.echodb.adapters.clickhouse.checksum;

import io.echodb.adapters.clickhouse.ClickHouseChangeSink;
import io.echodb.adapters.clickhouse.ClickHouseGateway;
import io.echodb.adapters.clickhouse.ClickHouseSettings;
import io.echodb.adapters.clickhouse.testing.ClickHouseTestService;
import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A fresh ClickHouse database written through the real sink, as the native engine writes it. */
final class ChecksumTarget implements AutoCloseable {

    /** Target tables are named like the source table (single watched schema). */
    static final Function<TableRef, String> TARGET_NAME = TableRef::name;

    final String database;
    final ClickHouseGateway gateway;
    final ClickHouseChangeSink sink;

    private ChecksumTarget(String database, ClickHouseSettings settings) {
        this.database = database;
        this.gateway = new ClickHouseGateway(settings);
        this.sink = new ClickHouseChangeSink(gateway);
    }

    static ChecksumTarget create(String prefix) {
        return create(prefix, false);
    }

    static ChecksumTarget create(String prefix, boolean jsonType) {
        ClickHouseTestService service = ClickHouseTestService.get();
        String db = service.createDatabase(prefix);
        ClickHouseSettings settings = ClickHouseSettings.ofUrl(service.jdbcUrl(db), service.user(), service.password())
                .withJsonType(jsonType);
        return new ChecksumTarget(db, settings);
    }

    ClickHouseRowChecksums checksums() {
        return new ClickHouseRowChecksums(gateway, TARGET_NAME);
    }

    /** Creates the table (replacing an older one) and writes {@code rows} as copied at {@code (lsn, 0)}. */
    void givenTable(TableSchema schema, List<Row> rows, long lsn) {
        String target = TARGET_NAME.apply(schema.table());
        sink.drop(target);
        SchemaSync sync = sink.ensureTable(target, schema);
        if (sync instanceof SchemaSync.Incompatible i) {
            throw new IllegalStateException(i.toString());
        }
        List<SinkRow> batch = new ArrayList<>();
        for (Row r : rows) {
            batch.add(new SinkRow(r, new RowVersion(lsn, 0), false));
        }
        sink.write(target, schema, batch);
    }

    void write(TableSchema schema, Row row, RowVersion version, boolean deleted) {
        sink.write(TARGET_NAME.apply(schema.table()), schema, List.of(new SinkRow(row, version, deleted)));
    }

    @Override
    public void close() {
        gateway.close();
    }
}
