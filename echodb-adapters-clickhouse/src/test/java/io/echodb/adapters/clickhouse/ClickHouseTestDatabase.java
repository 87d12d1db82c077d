package io.echodb.adapters.clickhouse;

import io.echodb.adapters.clickhouse.testing.ClickHouseTestService;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** A fresh database on the test ClickHouse with a gateway to it, and plain-JDBC helpers to check results independently. */
final class ClickHouseTestDatabase implements AutoCloseable {

    final ClickHouseTestService service;
    final String name;
    final ClickHouseGateway gateway;

    private ClickHouseTestDatabase(ClickHouseTestService service, String name, ClickHouseSettings settings) {
        this.service = service;
        this.name = name;
        this.gateway = new ClickHouseGateway(settings);
    }

    static ClickHouseTestDatabase create(String prefix) {
        ClickHouseTestService service = ClickHouseTestService.get();
        String db = service.createDatabase(prefix);
        return new ClickHouseTestDatabase(service, db, settings(service, db));
    }

    static ClickHouseSettings settings(ClickHouseTestService service, String database) {
        return ClickHouseSettings.ofUrl(service.jdbcUrl(database), service.user(), service.password());
    }

    ClickHouseSettings settings() {
        return gateway.settings();
    }

    /** The first column of every row of {@code query}, as strings, through clickhouse-jdbc (not this adapter's decoder). */
    List<String> column(String query) {
        try (Connection c = service.connect(name); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: " + query, e);
        }
    }

    String value(String query) {
        List<String> values = column(query);
        if (values.size() != 1) {
            throw new IllegalStateException("expected one row from " + query + ", got " + values);
        }
        return values.get(0);
    }

    long count(String target) {
        return Long.parseLong(value("SELECT count() FROM " + ClickHouseSql.table(name, target) + " FINAL"));
    }

    @Override
    public void close() {
        gateway.close();
    }
}
