package io.echodb.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Tiny JDBC helpers for the harness (its SQL is fixed text; identifiers are the harness's own). */
final class Sql {

    private Sql() {
    }

    static void exec(Connection c, String sql) {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    static long queryLong(Connection c, String sql) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row from: " + sql);
            }
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    static String queryString(Connection c, String sql) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row from: " + sql);
            }
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    static void close(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort at the end of a measurement
            }
        }
    }
}
