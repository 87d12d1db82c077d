package io.echodb.runner.chaos;

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
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Invariant I1, read from both databases: every row of a source table (PostgreSQL, its current columns) against
 * {@code SELECT ... FROM target FINAL} in ClickHouse, every column, grouped by primary key (by the whole row for tables
 * without one). Each source type is rendered identically on both sides — by SQL on each side plus a normalisation in
 * Java where spellings differ (floats, decimal trailing zeros) — applying the documented mapping rules of
 * docs/TYPE-MAPPING.md (clamped dates and timestamps, NaN decimals as NULL, NULL arrays as [], 24:00:00). A source
 * column the ClickHouse table does not have (added, but not yet seen by the engine because no row changed since) is
 * read as NULL there: honest only if the source holds NULL in it. Independent of the engine's own checksum code.
 */
final class RowComparison {

    private RowComparison() {
    }

    /** How one column is rendered on both sides. */
    private record Canon(String name, boolean key, String pgExpr, String chExpr, UnaryOperator<String> normalize) {
    }

    /** The outcome for one table. */
    record Result(String table, String target, int sourceRows, int targetRows, List<String> columns,
                  Map<String, List<String>> onlySource, Map<String, List<String>> onlyTarget) {

        boolean matches() {
            return onlySource.isEmpty() && onlyTarget.isEmpty();
        }

        /** Counts and up to {@code max} differing keys with both sides' rows. */
        String describe(int max) {
            Set<String> keys = new TreeSet<>(onlySource.keySet());
            keys.addAll(onlyTarget.keySet());
            StringBuilder sb = new StringBuilder();
            sb.append("source ").append(table).append(": ").append(sourceRows).append(" rows; ClickHouse ").append(target)
                    .append(" FINAL: ").append(targetRows).append(" rows; ").append(keys.size()).append(" differing key(s)\n")
                    .append("  columns: ").append(String.join(" | ", columns)).append('\n');
            int n = 0;
            for (String key : keys) {
                if (n++ == max) {
                    sb.append("  ...\n");
                    break;
                }
                sb.append("  key ").append(key).append(":\n");
                for (String row : onlySource.getOrDefault(key, List.of())) {
                    sb.append("    PostgreSQL: ").append(shorten(row)).append('\n');
                }
                if (!onlySource.containsKey(key)) {
                    sb.append("    PostgreSQL: (no row)\n");
                }
                for (String row : onlyTarget.getOrDefault(key, List.of())) {
                    sb.append("    ClickHouse: ").append(shorten(row)).append('\n');
                }
                if (!onlyTarget.containsKey(key)) {
                    sb.append("    ClickHouse: (no row)\n");
                }
            }
            return sb.toString();
        }

        private static String shorten(String row) {
            return row.length() > 400 ? row.substring(0, 400) + "… (" + row.length() + " chars)" : row;
        }
    }

    /** Reads both sides now. */
    static Result compare(Connection pg, Connection ch, String chDb, String schema, String table, String target)
            throws SQLException {
        List<Canon> columns = columns(pg, ch, chDb, schema, table, target);
        StringBuilder pgSql = new StringBuilder("SELECT ");
        StringBuilder chSql = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            pgSql.append(i == 0 ? "" : ", ").append(columns.get(i).pgExpr());
            chSql.append(i == 0 ? "" : ", ").append(columns.get(i).chExpr());
        }
        pgSql.append(" FROM ").append(SourceModel.ident(schema)).append('.').append(SourceModel.ident(table));
        boolean multiset = isMultiset(ch, chDb, target);
        if (multiset) {
            chSql.append(", ").append(chIdent(SIGN));
        }
        chSql.append(" FROM ").append(chIdent(chDb)).append('.').append(chIdent(target)).append(" FINAL");
        Map<String, List<String>> source = new HashMap<>();
        Map<String, List<String>> mirrored = new HashMap<>();
        int sourceRows = read(pg, pgSql.toString(), columns, source, false);
        int targetRows = read(ch, chSql.toString(), columns, mirrored, multiset);
        Map<String, List<String>> onlySource = new TreeMap<>();
        Map<String, List<String>> onlyTarget = new TreeMap<>();
        Set<String> keys = new TreeSet<>(source.keySet());
        keys.addAll(mirrored.keySet());
        for (String key : keys) {
            List<String> a = new ArrayList<>(source.getOrDefault(key, List.of()));
            List<String> b = new ArrayList<>(mirrored.getOrDefault(key, List.of()));
            Collections.sort(a);
            Collections.sort(b);
            if (!a.equals(b)) {
                List<String> extraA = new ArrayList<>(a);
                b.forEach(extraA::remove);
                List<String> extraB = new ArrayList<>(b);
                a.forEach(extraB::remove);
                if (!extraA.isEmpty()) {
                    onlySource.put(key, extraA);
                }
                if (!extraB.isEmpty()) {
                    onlyTarget.put(key, extraB);
                }
            }
        }
        return new Result(schema + "." + table, target, sourceRows, targetRows, columns.stream().map(Canon::name).toList(),
                onlySource, onlyTarget);
    }

    private static final String SIGN = "_echodb_sign";

    /** A key-less table's target (KEYLESS_TABLES=full): +1/−1 row images, its sign column in the sorting key. */
    private static boolean isMultiset(Connection ch, String chDb, String target) throws SQLException {
        try (Statement st = ch.createStatement(); ResultSet rs = st.executeQuery("SELECT count() FROM system.columns"
                + " WHERE database = " + chLiteral(chDb) + " AND table = " + chLiteral(target) + " AND name = "
                + chLiteral(SIGN) + " AND is_in_sorting_key")) {
            return rs.next() && rs.getLong(1) > 0;
        }
    }

    /**
     * Reads rows grouped by key into {@code into}; returns how many. {@code signed}: the last column is a multiset
     * sign, and each distinct row counts as often as its signs add up (a negative sum shows as a row of its own).
     */
    private static int read(Connection c, String sql, List<Canon> columns, Map<String, List<String>> into, boolean signed)
            throws SQLException {
        if (signed) {
            Map<String, Map<String, Long>> sums = new TreeMap<>();
            readRows(c, sql, columns, (key, row, rs) -> sums.computeIfAbsent(key, k -> new TreeMap<>())
                    .merge(row, rs.getLong(columns.size() + 1), Long::sum));
            int rows = 0;
            for (Map.Entry<String, Map<String, Long>> byKey : sums.entrySet()) {
                for (Map.Entry<String, Long> row : byKey.getValue().entrySet()) {
                    long n = row.getValue();
                    for (long i = 0; i < n; i++) {
                        into.computeIfAbsent(byKey.getKey(), k -> new ArrayList<>()).add(row.getKey());
                        rows++;
                    }
                    if (n < 0) {
                        into.computeIfAbsent(byKey.getKey(), k -> new ArrayList<>()).add("(" + n + " times) " + row.getKey());
                    }
                }
            }
            return rows;
        }
        int[] rows = {0};
        readRows(c, sql, columns, (key, row, rs) -> {
            into.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
            rows[0]++;
        });
        return rows[0];
    }

    private interface RowSink {
        void accept(String key, String row, ResultSet rs) throws SQLException;
    }

    private static void readRows(Connection c, String sql, List<Canon> columns, RowSink sink) throws SQLException {
        boolean anyKey = columns.stream().anyMatch(Canon::key);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                StringBuilder key = new StringBuilder();
                for (int i = 0; i < columns.size(); i++) {
                    Canon col = columns.get(i);
                    String v = rs.getString(i + 1);
                    String text = v == null ? "NULL" : "'" + escape(col.normalize().apply(v)) + "'";
                    row.append(i == 0 ? "" : " | ").append(text);
                    if (col.key() || !anyKey) {
                        key.append(key.length() == 0 ? "" : "|").append(v == null ? "NULL" : escape(col.normalize().apply(v)));
                    }
                }
                sink.accept(key.toString(), row.toString(), rs);
            }
        } catch (SQLException e) {
            throw new SQLException("query failed: " + sql + ": " + e.getMessage(), e.getSQLState(), e);
        }
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("|", "\\|");
    }

    private static List<Canon> columns(Connection pg, Connection ch, String chDb, String schema, String table, String target)
            throws SQLException {
        Map<String, String> chColumns = new java.util.TreeMap<>();
        try (Statement st = ch.createStatement(); ResultSet rs = st.executeQuery("SELECT name, type FROM system.columns WHERE database = "
                + chLiteral(chDb) + " AND table = " + chLiteral(target))) {
            while (rs.next()) {
                chColumns.put(rs.getString(1), rs.getString(2));
            }
        }
        if (chColumns.isEmpty()) {
            throw new SQLException("ClickHouse table " + chDb + "." + target + " does not exist");
        }
        List<Canon> out = new ArrayList<>();
        String sql = "SELECT a.attname, t.typname, t.typtype, format_type(a.atttypid, a.atttypmod),"
                + " coalesce(a.attnum = ANY (i.indkey::int2[]), false)"
                + " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                + " LEFT JOIN pg_catalog.pg_index i ON i.indrelid = a.attrelid AND i.indisprimary"
                + " WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
        try (PreparedStatement ps = pg.prepareStatement(sql)) {
            ps.setString(1, SourceModel.ident(schema) + "." + SourceModel.ident(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    if (ChaosWorld.excludedColumns(table).contains(name)) {
                        continue; // left out by the table settings: never read, never stored
                    }
                    String chType = chColumns.get(name);
                    // A column kept from an earlier type (e.g. String) stores the value's text as it is, unclamped.
                    boolean clamped = chType != null && chType.contains("Date");
                    out.add(canon(name, rs.getBoolean(5), rs.getString(2), rs.getString(3), rs.getString(4),
                            chType != null, clamped));
                }
            }
        }
        if (out.isEmpty()) {
            throw new SQLException("source table " + schema + "." + table + " not found or without columns");
        }
        return out;
    }

    private static Canon canon(String name, boolean key, String type, String typtype, String formatted, boolean inTarget,
            boolean clamped) {
        String pg = SourceModel.ident(name);
        String ch = chIdent(name);
        UnaryOperator<String> same = UnaryOperator.identity();
        String chText = inTarget ? "toString(" + ch + ")" : "NULL";
        if ("e".equals(typtype)) {
            return new Canon(name, key, pg + "::text", chText, same);
        }
        return switch (type) {
            case "numeric" -> {
                // numeric(p,s) with p <= 76 is a Decimal: NaN has no Decimal form and is stored as NULL
                boolean decimal = formatted.startsWith("numeric(") && Integer.parseInt(formatted.substring(8,
                        formatted.indexOf(formatted.contains(",") ? ',' : ')'))) <= 76;
                yield new Canon(name, key, decimal ? "CASE WHEN " + pg + " = 'NaN' THEN NULL ELSE " + pg + "::text END" : pg + "::text",
                        chText, RowComparison::decimal);
            }
            case "float4" -> new Canon(name, key, pg + "::text", chText, v -> normalizeFloat(v, true));
            case "float8" -> new Canon(name, key, pg + "::text", chText, v -> normalizeFloat(v, false));
            case "timestamptz", "timestamp", "date" -> clamped ? clampedCanon(name, key, type, pg, chText) : new Canon(name, key,
                    nullSafe(pg, "CASE WHEN isfinite(" + pg + ") THEN to_char(" + pg + (type.equals("timestamptz") ? " AT TIME ZONE 'UTC'" : "")
                            + (type.equals("date") ? ", 'YYYY-MM-DD')" : ", 'YYYY-MM-DD HH24:MI:SS.US')") + " ELSE " + pg + "::text END"),
                    chText, same);
            default -> otherCanon(name, key, type, pg, chText, ch, inTarget);
        };
    }

    private static Canon clampedCanon(String name, boolean key, String type, String pg, String chText) {
        UnaryOperator<String> same = UnaryOperator.identity();
        return switch (type) {
            // (greatest/least ignore NULLs, so NULL is kept apart first)
            case "timestamptz" -> new Canon(name, key, nullSafe(pg, "to_char(least(greatest(" + pg + ", '1900-01-01 00:00:00+00'::timestamptz),"
                    + " '2299-12-31 23:59:59.999999+00'::timestamptz) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"), chText, same);
            case "timestamp" -> new Canon(name, key, nullSafe(pg, "to_char(least(greatest(" + pg + ", '1900-01-01 00:00:00'::timestamp),"
                    + " '2299-12-31 23:59:59.999999'::timestamp), 'YYYY-MM-DD HH24:MI:SS.US')"), chText, same);
            default -> new Canon(name, key, nullSafe(pg, "to_char(least(greatest(" + pg + ", '1900-01-01'::date), '2299-12-31'::date),"
                    + " 'YYYY-MM-DD')"), chText, same);
        };
    }

    private static Canon otherCanon(String name, boolean key, String type, String pg, String chText, String ch,
            boolean inTarget) {
        UnaryOperator<String> same = UnaryOperator.identity();
        return switch (type) {
            case "time" -> new Canon(name, key, "CASE WHEN " + pg + " = '24:00:00'::time THEN '23:59:59.999999' ELSE"
                    + " to_char(date '2000-01-01' + " + pg + ", 'HH24:MI:SS.US') END", chText, same);
            case "bytea" -> new Canon(name, key, "encode(" + pg + ", 'hex')", inTarget ? "lower(hex(" + ch + "))" : "NULL", same);
            case "_int4", "_int8", "_int2" -> new Canon(name, key, "'[' || coalesce(array_to_string(" + pg + ", ',', 'NULL'), '') || ']'",
                    inTarget ? "'[' || arrayStringConcat(arrayMap(x -> ifNull(toString(x), 'NULL'), " + ch + "), ',') || ']'" : "'[]'",
                    same);
            default -> new Canon(name, key, pg + "::text", chText, same);
        };
    }

    private static String nullSafe(String column, String expr) {
        return "CASE WHEN " + column + " IS NULL THEN NULL ELSE " + expr + " END";
    }

    private static final Map<String, String> SPECIAL_FLOATS = Map.of("nan", "NaN", "inf", "Infinity", "+inf", "Infinity",
            "-inf", "-Infinity", "-nan", "NaN");

    private static String normalizeFloat(String v, boolean single) {
        String s = SPECIAL_FLOATS.getOrDefault(v, v);
        try {
            return single ? Float.toString(Float.parseFloat(s)) : Double.toString(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return v;
        }
    }

    private static String decimal(String v) {
        try {
            BigDecimal d = new BigDecimal(v);
            return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return v; // NaN / Infinity spelled as text
        }
    }

    static String chIdent(String name) {
        return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`";
    }

    static String chLiteral(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
