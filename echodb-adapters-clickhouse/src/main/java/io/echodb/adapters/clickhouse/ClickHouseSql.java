package io.echodb.adapters.clickhouse;

import java.util.List;
import java.util.stream.Collectors;

/** Quoting for ClickHouse SQL: every identifier and string literal this adapter sends goes through here. */
public final class ClickHouseSql {

    private ClickHouseSql() {
    }

    /** {@code `name`} with backslashes and back-ticks escaped by a backslash (ClickHouse's identifier escaping). */
    public static String identifier(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 2).append('`');
        appendEscaped(sb, name, '`');
        return sb.append('`').toString();
    }

    /** {@code `database`.`table`}. */
    public static String table(String database, String table) {
        return identifier(database) + "." + identifier(table);
    }

    /** {@code 'text'} with backslashes and single quotes escaped by a backslash. */
    public static String literal(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 2).append('\'');
        appendEscaped(sb, text, '\'');
        return sb.append('\'').toString();
    }

    /** Comma-separated quoted identifiers. */
    public static String identifiers(List<String> names) {
        return names.stream().map(ClickHouseSql::identifier).collect(Collectors.joining(", "));
    }

    /** {@code  ON CLUSTER `c`} or nothing. */
    static String onCluster(String cluster) {
        return cluster == null ? "" : " ON CLUSTER " + identifier(cluster);
    }

    private static void appendEscaped(StringBuilder sb, String text, char quote) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' || c == quote) {
                sb.append('\\');
            }
            sb.append(c);
        }
    }
}
