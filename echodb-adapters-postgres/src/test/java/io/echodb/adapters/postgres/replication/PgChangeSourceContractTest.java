package io.echodb.adapters.postgres.replication;

import io.echodb.adapters.postgres.jdbc.PgQuoting;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeSource;
import io.echodb.core.port.contract.ChangeSourceContract;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/** {@link PgChangeSource} against the shared contract, on a real PostgreSQL; the hooks are plain SQL. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PgChangeSourceContractTest extends ChangeSourceContract {

    private static PgTestDatabase db;
    private final Map<TableRef, List<Column>> columns = new ConcurrentHashMap<>();
    private final Map<TableRef, List<String>> keys = new ConcurrentHashMap<>();

    private static synchronized PgTestDatabase db() {
        if (db == null) {
            db = PgTestDatabase.create("cs_contract");
        }
        return db;
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) {
            db.drop();
        }
    }

    @Override
    protected ChangeSource createSource() {
        return new PgChangeSource(db().connections(),
                PgReplicationConfig.defaults().withNames("s_" + db().name(), "echodb_pub"));
    }

    @Override
    protected void createTable(TableRef table, List<Column> cols, List<String> keyColumns) {
        StringBuilder ddl = new StringBuilder("CREATE TABLE ").append(PgSql.quote(table)).append(" (");
        for (int i = 0; i < cols.size(); i++) {
            Column c = cols.get(i);
            ddl.append(i == 0 ? "" : ", ").append(PgQuoting.ident(c.name())).append(' ').append(sqlType(c.type()))
                    .append(c.nullable() ? "" : " NOT NULL");
        }
        if (!keyColumns.isEmpty()) {
            ddl.append(", PRIMARY KEY (")
                    .append(String.join(", ", keyColumns.stream().map(PgQuoting::ident).toList())).append(')');
        }
        db().sql(ddl.append(')').toString());
        columns.put(table, new ArrayList<>(cols));
        keys.put(table, List.copyOf(keyColumns));
    }

    @Override
    protected void renameTable(TableRef from, TableRef to) {
        db().sql("ALTER TABLE " + PgSql.quote(from) + " RENAME TO " + PgQuoting.ident(to.name()));
        columns.put(to, columns.remove(from));
        keys.put(to, keys.remove(from));
    }

    @Override
    protected void addColumn(TableRef table, Column column) {
        db().sql("ALTER TABLE " + PgSql.quote(table) + " ADD COLUMN " + PgQuoting.ident(column.name()) + " "
                + sqlType(column.type()));
        columns.get(table).add(column);
    }

    @Override
    protected void commit(List<SourceOp> ops) {
        try (Connection c = db().connect()) {
            c.setAutoCommit(false);
            for (SourceOp op : ops) {
                apply(c, op);
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("commit failed: " + e.getMessage(), e);
        }
    }

    private void apply(Connection c, SourceOp op) throws SQLException {
        if (op instanceof SourceOp.Insert i) {
            List<Column> cols = columns.get(i.table());
            String names = String.join(", ", cols.stream().map(col -> PgQuoting.ident(col.name())).toList());
            String marks = String.join(", ", cols.stream().map(col -> "?").toList());
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO " + PgSql.quote(i.table()) + " (" + names + ") VALUES (" + marks + ")")) {
                for (int k = 0; k < cols.size(); k++) {
                    ps.setObject(k + 1, i.row().get(k));
                }
                ps.executeUpdate();
            }
        } else if (op instanceof SourceOp.Update u) {
            List<Column> cols = columns.get(u.table());
            List<Object> values = new ArrayList<>();
            List<String> sets = new ArrayList<>();
            for (int k = 0; k < cols.size(); k++) {
                sets.add(PgQuoting.ident(cols.get(k).name()) + " = ?");
                values.add(u.newRow().get(k));
            }
            update(c, u.table(), sets, values, u.key());
        } else if (op instanceof SourceOp.SetColumns s) {
            List<Object> values = new ArrayList<>();
            List<String> sets = new ArrayList<>();
            s.values().forEach((name, value) -> {
                sets.add(PgQuoting.ident(name) + " = ?");
                values.add(value);
            });
            update(c, s.table(), sets, values, s.key());
        } else if (op instanceof SourceOp.Delete d) {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM " + PgSql.quote(d.table()) + " WHERE " + keyPredicate(d.table()))) {
                for (int k = 0; k < d.key().size(); k++) {
                    ps.setObject(k + 1, d.key().get(k));
                }
                ps.executeUpdate();
            }
        } else if (op instanceof SourceOp.Truncate t) {
            try (Statement st = c.createStatement()) {
                st.execute("TRUNCATE " + PgSql.quote(t.table()));
            }
        }
    }

    private void update(Connection c, TableRef table, List<String> sets, List<Object> values,
                        io.echodb.core.schema.RowKey key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + PgSql.quote(table) + " SET "
                + String.join(", ", sets) + " WHERE " + keyPredicate(table))) {
            int p = 1;
            for (Object v : values) {
                ps.setObject(p++, v);
            }
            for (int k = 0; k < key.size(); k++) {
                ps.setObject(p++, key.get(k));
            }
            ps.executeUpdate();
        }
    }

    private String keyPredicate(TableRef table) {
        return String.join(" AND ", keys.get(table).stream().map(k -> PgQuoting.ident(k) + " = ?").toList());
    }

    private static String sqlType(ColumnType type) {
        if (type instanceof ColumnType.Int64) {
            return "bigint";
        }
        if (type instanceof ColumnType.Int32) {
            return "integer";
        }
        if (type instanceof ColumnType.Text) {
            return "text";
        }
        throw new IllegalArgumentException("the contract uses only bigint, integer and text, not " + type);
    }
}
