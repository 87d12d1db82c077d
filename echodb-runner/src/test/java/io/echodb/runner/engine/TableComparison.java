package io.echodb.runner.engine;

import io.echodb.core.model.TableRef;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reads a source table and its ClickHouse mirror ({@code SELECT … FINAL}) into one canonical string per row and
 * compares the two sorted lists: every column of every row must match, not just the count. Each source column type
 * gets a PostgreSQL expression and a ClickHouse expression that render equal values identically (numbers normalised
 * in Java where the spellings differ). Columns are taken from the source table as it is now; extra ClickHouse
 * columns (metadata, columns dropped in the source) are not compared. A key-less table's multiset target counts each
 * row as often as its +1/−1 images add up.
 */
final class TableComparison {

    private final E2eEnv env;
    private final TableRef table;
    private final String target;

    private TableComparison(E2eEnv env, TableRef table, String target) {
        this.env = env;
        this.table = table;
        this.target = target;
    }

    static TableComparison of(E2eEnv env, TableRef table, String target) {
        return new TableComparison(env, table, target);
    }

    /** How one column is rendered on both sides. */
    private record Canon(String name, String pgExpr, String chExpr, UnaryOperator<String> normalize) {
    }

    /** Reads both sides now. */
    Result read() {
        List<Canon> columns = columns();
        StringBuilder pgSql = new StringBuilder("SELECT ");
        StringBuilder chSql = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            pgSql.append(i == 0 ? "" : ", ").append(columns.get(i).pgExpr());
            chSql.append(i == 0 ? "" : ", ").append(columns.get(i).chExpr());
        }
        pgSql.append(" FROM ").append(E2eEnv.pgTable(table));
        boolean multiset = isMultiset();
        if (multiset) {
            chSql.append(", ").append(E2eEnv.chIdent(SIGN));
        }
        chSql.append(" FROM ").append(env.chTable(target)).append(" FINAL");
        List<String> source = new ArrayList<>();
        try (Connection c = env.pg.connect(env.pgDb); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(pgSql.toString())) {
            while (rs.next()) {
                source.add(canonical(rs, columns));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading " + table + " failed: " + e.getMessage(), e);
        }
        List<String> mirrored = new ArrayList<>();
        Map<String, Long> signs = new java.util.TreeMap<>();
        try (Connection c = env.ch.connect(env.chDb); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(chSql.toString())) {
            while (rs.next()) {
                if (multiset) {
                    signs.merge(canonical(rs, columns), rs.getLong(columns.size() + 1), Long::sum);
                } else {
                    mirrored.add(canonical(rs, columns));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading ClickHouse table " + target + " failed: " + e.getMessage(), e);
        }
        // A key-less table's target holds +1/−1 row images: each distinct row appears as often as its signs add up.
        signs.forEach((row, n) -> {
            for (long i = 0; i < n; i++) {
                mirrored.add(row);
            }
            if (n < 0) {
                mirrored.add("(" + n + " times) " + row);
            }
        });
        Collections.sort(source);
        Collections.sort(mirrored);
        return new Result(table, target, source, mirrored);
    }

    private static final String SIGN = "_echodb_sign";

    /** Whether the target is a key-less table's multiset (its sign column is part of the sorting key). */
    private boolean isMultiset() {
        String sql = "SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = ? AND name = ?"
                + " AND is_in_sorting_key";
        try (Connection c = env.ch.connect(env.chDb); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, target);
            ps.setString(2, SIGN);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) > 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the columns of ClickHouse table " + target + " failed: " + e.getMessage(), e);
        }
    }

    private static String canonical(ResultSet rs, List<Canon> columns) throws SQLException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            String v = rs.getString(i + 1);
            if (i > 0) {
                sb.append(" | ");
            }
            if (v == null) {
                sb.append("NULL");
            } else {
                v = columns.get(i).normalize().apply(v);
                sb.append('\'').append(v.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")).append('\'');
            }
        }
        return sb.toString();
    }

    private List<Canon> columns() {
        List<Canon> out = new ArrayList<>();
        String sql = "SELECT a.attname, t.typname, t.typtype FROM pg_catalog.pg_attribute a"
                + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                + " WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
        try (Connection c = env.pg.connect(env.pgDb); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, E2eEnv.pgTable(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(canon(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("describing " + table + " failed: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("table " + table + " not found or without columns");
        }
        return out;
    }

    private static Canon canon(String name, String type, String typtype) {
        String pg = E2eEnv.pgIdent(name);
        String ch = E2eEnv.chIdent(name);
        UnaryOperator<String> same = UnaryOperator.identity();
        if ("e".equals(typtype)) {
            return new Canon(name, pg + "::text", "toString(" + ch + ")", same);
        }
        return switch (type) {
            case "int2", "int4", "int8", "text", "varchar", "bpchar", "uuid", "json", "jsonb", "bool" ->
                    new Canon(name, pg + "::text", "toString(" + ch + ")", same);
            case "numeric" -> new Canon(name, pg + "::text", "toString(" + ch + ")", TableComparison::decimal);
            case "float4" -> new Canon(name, pg + "::text", "toString(" + ch + ")", v -> Float.toString(parseFloat(v)));
            case "float8" -> new Canon(name, pg + "::text", "toString(" + ch + ")", v -> Double.toString(parseDouble(v)));
            case "timestamptz" -> new Canon(name, "to_char(" + pg + " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')",
                    "toString(" + ch + ")", same);
            case "timestamp" -> new Canon(name, "to_char(" + pg + ", 'YYYY-MM-DD HH24:MI:SS.US')", "toString(" + ch + ")", same);
            case "date" -> new Canon(name, "to_char(" + pg + ", 'YYYY-MM-DD')", "toString(" + ch + ")", same);
            case "bytea" -> new Canon(name, "encode(" + pg + ", 'hex')", "lower(hex(" + ch + "))", same);
            default -> throw new IllegalArgumentException("the comparison has no canonical form for column " + name
                    + " of type " + type);
        };
    }

    private static final Map<String, String> SPECIAL_FLOATS = new HashMap<>(Map.of(
            "nan", "NaN", "inf", "Infinity", "+inf", "Infinity", "-inf", "-Infinity"));

    private static double parseDouble(String v) {
        return Double.parseDouble(SPECIAL_FLOATS.getOrDefault(v, v));
    }

    private static float parseFloat(String v) {
        return Float.parseFloat(SPECIAL_FLOATS.getOrDefault(v, v));
    }

    private static String decimal(String v) {
        try {
            BigDecimal d = new BigDecimal(v);
            return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return v; // NaN / Infinity spelled as text
        }
    }

    /** Both sides, each sorted. */
    record Result(TableRef table, String target, List<String> source, List<String> mirrored) {

        boolean matches() {
            return source.equals(mirrored);
        }

        /** Counts and the first differing rows of each side. */
        String describe(int max) {
            Map<String, Integer> counts = new HashMap<>();
            source.forEach(r -> counts.merge(r, 1, Integer::sum));
            mirrored.forEach(r -> counts.merge(r, -1, Integer::sum));
            List<String> onlySource = new ArrayList<>();
            List<String> onlyTarget = new ArrayList<>();
            counts.forEach((row, n) -> {
                if (n > 0) {
                    onlySource.add(row);
                } else if (n < 0) {
                    onlyTarget.add(row);
                }
            });
            Collections.sort(onlySource);
            Collections.sort(onlyTarget);
            StringBuilder sb = new StringBuilder();
            sb.append("source ").append(table).append(": ").append(source.size()).append(" rows; ClickHouse ")
                    .append(target).append(" FINAL: ").append(mirrored.size()).append(" rows\n");
            sb.append(onlySource.size()).append(" row(s) only in the source, e.g.:\n");
            onlySource.stream().limit(max).forEach(r -> sb.append("  ").append(shorten(r)).append('\n'));
            sb.append(onlyTarget.size()).append(" row(s) only in ClickHouse, e.g.:\n");
            onlyTarget.stream().limit(max).forEach(r -> sb.append("  ").append(shorten(r)).append('\n'));
            return sb.toString();
        }

        private static String shorten(String row) {
            return row.length() > 300 ? row.substring(0, 300) + "… (" + row.length() + " chars)" : row;
        }
    }
}
