package io.echodb.adapters.postgres.decode;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.model.TableRef;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Markers the DDL capture's event trigger writes into the WAL inside the DDL's own transaction
 * ({@code pg_logical_emit_message(true, 'echodb.ddl', …)}), so the stream sees them exactly between the changes made
 * before and after the DDL. Formats: {@code rename_columns <relation oid> <schema>.<table> <old>:<new> …} and
 * {@code rewritten <relation oid> <schema>.<table> <reason>}; names and reason hex-encoded UTF-8 (a quoted identifier
 * may hold spaces, dots or colons).
 */
public final class StreamMarker {

    public static final String PREFIX = "echodb.ddl";
    private static final String RENAME_COLUMNS = "rename_columns";
    private static final String REWRITTEN = "rewritten";

    private StreamMarker() {
    }

    /** The event a marker stands for; throws for a marker this version does not know (never skipped silently). */
    static ChangeEvent parse(String content) {
        String[] parts = content.trim().split(" ");
        if (parts.length >= 4 && parts[0].equals(RENAME_COLUMNS)) {
            long relationId = Long.parseLong(parts[1]);
            String[] table = parts[2].split("\\.", -1);
            if (table.length != 2) {
                throw malformed(content);
            }
            Map<String, String> renames = new LinkedHashMap<>();
            for (int i = 3; i < parts.length; i++) {
                String[] pair = parts[i].split(":", -1);
                if (pair.length != 2) {
                    throw malformed(content);
                }
                renames.put(name(pair[0]), name(pair[1]));
            }
            return new ChangeEvent.ColumnsRenamed(relationId, TableRef.of(name(table[0]), name(table[1])), renames);
        }
        if (parts.length >= 3 && parts.length <= 4 && parts[0].equals(REWRITTEN)) {
            String[] table = parts[2].split("\\.", -1);
            if (table.length != 2) {
                throw malformed(content);
            }
            return new ChangeEvent.RowsRewritten(Long.parseLong(parts[1]), TableRef.of(name(table[0]), name(table[1])),
                    parts.length == 4 ? name(parts[3]) : "");
        }
        throw malformed(content);
    }

    /** The marker for a rewrite, as the event trigger writes it (for tests). */
    static String rewritten(long relationId, TableRef table, String reason) {
        HexFormat hex = HexFormat.of();
        return REWRITTEN + ' ' + relationId + ' ' + hex.formatHex(table.schema().getBytes(StandardCharsets.UTF_8)) + '.'
                + hex.formatHex(table.name().getBytes(StandardCharsets.UTF_8)) + ' '
                + hex.formatHex(reason.getBytes(StandardCharsets.UTF_8));
    }

    /** The marker for a rename, as the event trigger writes it (for tests). */
    static String renameColumns(long relationId, TableRef table, Map<String, String> renames) {
        HexFormat hex = HexFormat.of();
        StringBuilder sb = new StringBuilder(RENAME_COLUMNS).append(' ').append(relationId).append(' ')
                .append(hex.formatHex(table.schema().getBytes(StandardCharsets.UTF_8))).append('.')
                .append(hex.formatHex(table.name().getBytes(StandardCharsets.UTF_8)));
        renames.forEach((from, to) -> sb.append(' ').append(hex.formatHex(from.getBytes(StandardCharsets.UTF_8)))
                .append(':').append(hex.formatHex(to.getBytes(StandardCharsets.UTF_8))));
        return sb.toString();
    }

    private static String name(String hex) {
        return new String(HexFormat.of().parseHex(hex), StandardCharsets.UTF_8);
    }

    private static IllegalStateException malformed(String content) {
        return new IllegalStateException("unknown EchoDB stream marker '" + content + "' (written by a newer version?)");
    }
}
