package io.echodb.adapters.postgres.checksum;

import io.echodb.adapters.postgres.jdbc.PgQuoting;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.adapters.postgres.replication.PgTestDatabase;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Creates source tables from neutral schemas and fills them with neutral rows (the types the contract uses). */
final class PgTables {

    private PgTables() {
    }

    static void create(PgTestDatabase db, TableSchema schema, List<Row> rows) {
        List<String> defs = new ArrayList<>();
        for (Column c : schema.columns()) {
            defs.add(PgQuoting.ident(c.name()) + " " + pgType(c.type()) + (c.nullable() ? "" : " NOT NULL"));
        }
        List<String> key = schema.keyColumns().stream().map(PgQuoting::ident).toList();
        String table = PgSql.quote(schema.table());
        db.sql("DROP TABLE IF EXISTS " + table, "CREATE TABLE " + table + " (" + String.join(", ", defs)
                + ", PRIMARY KEY (" + String.join(", ", key) + "))");
        if (rows.isEmpty()) {
            return;
        }
        String marks = String.join(", ", java.util.Collections.nCopies(schema.columns().size(), "?"));
        try (Connection c = db.connections().open();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " VALUES (" + marks + ")")) {
            for (Row r : rows) {
                for (int i = 0; i < r.size(); i++) {
                    ps.setObject(i + 1, jdbc(c, schema.columns().get(i).type(), r.get(i)));
                }
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("insert into " + table + " failed: " + e.getMessage(), e);
        }
    }

    static void sql(PgTestDatabase db, String sql) {
        try (Connection c = db.connections().open(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
        }
    }

    private static String pgType(ColumnType t) {
        if (t instanceof ColumnType.Int64) {
            return "bigint";
        } else if (t instanceof ColumnType.Int32) {
            return "integer";
        } else if (t instanceof ColumnType.Bool) {
            return "boolean";
        } else if (t instanceof ColumnType.Decimal d) {
            return "numeric(" + d.precision() + ", " + d.scale() + ")";
        } else if (t instanceof ColumnType.TimestampTz) {
            return "timestamptz";
        } else if (t instanceof ColumnType.Text) {
            return "text";
        } else if (t instanceof ColumnType.ArrayOf a) {
            return pgType(a.element()) + "[]";
        }
        throw new IllegalArgumentException("test tables do not use " + t);
    }

    private static Object jdbc(Connection c, ColumnType t, Object v) throws SQLException {
        if (v == null) {
            return null;
        }
        if (v instanceof Instant i) {
            return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
        }
        if (t instanceof ColumnType.ArrayOf a) {
            Array array = c.createArrayOf(pgType(a.element()), ((List<?>) v).toArray());
            return array;
        }
        return v;
    }
}
