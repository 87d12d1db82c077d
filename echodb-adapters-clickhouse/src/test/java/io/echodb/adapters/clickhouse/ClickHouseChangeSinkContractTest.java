package io.echodb.adapters.clickhouse;

import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.port.contract.ChangeSinkContract;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The ChangeSink contract against the real engine. The final view is read with plain clickhouse-jdbc
 * ({@code SELECT * EXCEPT (metadata) … FINAL}), independently of the sink's own RowBinary decoder.
 */
class ClickHouseChangeSinkContractTest extends ChangeSinkContract {

    static ClickHouseTestDatabase db;

    @BeforeAll
    static void open() {
        db = ClickHouseTestDatabase.create("sinkcontract");
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Override
    protected ChangeSink createSink() {
        return new ClickHouseChangeSink(db.gateway);
    }

    @Override
    protected List<Map<String, Object>> multisetRows(String target) {
        String sign = "_echodb_sign";
        String sql = "SELECT * EXCEPT (" + ClickHouseSql.identifiers(List.of(ClickHouseChangeSink.VERSION_COLUMN,
                ClickHouseChangeSink.DELETED_COLUMN, ClickHouseChangeSink.SYNCED_AT_COLUMN, sign)) + "), "
                + ClickHouseSql.identifier(sign) + " FROM " + ClickHouseSql.table(db.name, target) + " FINAL";
        Map<Map<String, Object>, Long> counts = new LinkedHashMap<>();
        try (Connection c = db.service.connect(db.name); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i < meta.getColumnCount(); i++) {
                    row.put(meta.getColumnLabel(i), rs.getObject(i));
                }
                counts.merge(row, rs.getLong(meta.getColumnCount()), Long::sum);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + target + ": " + e.getMessage(), e);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        counts.forEach((row, n) -> {
            for (long i = 0; i < n; i++) {
                rows.add(row);
            }
        });
        return rows;
    }

    @Override
    protected List<Map<String, Object>> finalRows(String target) {
        String sql = "SELECT * EXCEPT (" + ClickHouseSql.identifiers(List.of(ClickHouseChangeSink.VERSION_COLUMN,
                ClickHouseChangeSink.DELETED_COLUMN, ClickHouseChangeSink.SYNCED_AT_COLUMN)) + ") FROM "
                + ClickHouseSql.table(db.name, target) + " FINAL";
        try (Connection c = db.service.connect(db.name); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<Map<String, Object>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.put(meta.getColumnLabel(i), rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + target + ": " + e.getMessage(), e);
        }
    }
}
