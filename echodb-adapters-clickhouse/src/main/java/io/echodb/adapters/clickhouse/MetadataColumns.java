package io.echodb.adapters.clickhouse;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The names of a target table's metadata columns: the version and deletion flag its {@code ReplacingMergeTree} keeps
 * the newest row by, and when ClickHouse received the row. {@link #DEFAULT} unless the source table has a column of
 * such a name; then the first numbered set none of whose names is taken ({@code _echodb_version_1}, …). A table's set
 * is read back from its engine definition, never guessed from the source again, so it stays for the table's life.
 * {@code sign} is null for a keyed table; a key-less table's multiset layout names it ({@link #multiset}): +1 for a
 * row image put in, −1 for one taken out, and it is part of the sorting key, which is how it is recognised.
 */
public record MetadataColumns(String version, String deleted, String syncedAt, String sign) {

    private static final String VERSION = "_echodb_version";
    private static final String DELETED = "_echodb_is_deleted";
    private static final String SYNCED_AT = "_echodb_synced_at";
    private static final String SIGN = "_echodb_sign";
    public static final MetadataColumns DEFAULT = new MetadataColumns(VERSION, DELETED, SYNCED_AT);

    public MetadataColumns {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(deleted, "deleted");
        Objects.requireNonNull(syncedAt, "syncedAt");
    }

    /** The names of a keyed table. */
    public MetadataColumns(String version, String deleted, String syncedAt) {
        this(version, deleted, syncedAt, null);
    }

    /** These names for a multiset table: with its sign column, suffixed like the others. */
    public MetadataColumns multiset() {
        return new MetadataColumns(version, deleted, syncedAt, SIGN + version.substring(VERSION.length()));
    }

    public boolean isMultiset() {
        return sign != null;
    }

    /** The default names, or the first numbered set that none of {@code sourceColumns} uses. */
    public static MetadataColumns avoiding(Collection<String> sourceColumns) {
        for (int n = 0; ; n++) {
            MetadataColumns candidate = numbered(n);
            if (candidate.names().stream().noneMatch(sourceColumns::contains)) {
                return new MetadataColumns(candidate.version, candidate.deleted, candidate.syncedAt);
            }
        }
    }

    private static MetadataColumns numbered(int n) {
        String suffix = n == 0 ? "" : "_" + n;
        return new MetadataColumns(VERSION + suffix, DELETED + suffix, SYNCED_AT + suffix, SIGN + suffix);
    }

    /**
     * The set a table uses, from its engine definition ({@code system.tables.engine_full}: the last two arguments of
     * {@code [Replicated]ReplacingMergeTree(…)}), or null when the table is not laid out by EchoDB.
     */
    static MetadataColumns fromEngine(String engineFull, Set<String> columns, Set<String> sortingKey) {
        if (engineFull == null) {
            return null;
        }
        int start = engineFull.indexOf("ReplacingMergeTree(");
        if (start < 0) {
            return null;
        }
        int open = start + "ReplacingMergeTree(".length();
        int close = engineFull.indexOf(')', open);
        if (close < 0) {
            return null;
        }
        String[] args = engineFull.substring(open, close).split(",");
        if (args.length < 2) {
            return null;
        }
        String version = unquote(args[args.length - 2]);
        String deleted = unquote(args[args.length - 1]);
        if (!version.startsWith(VERSION) || !columns.contains(version) || !columns.contains(deleted)) {
            return null;
        }
        String suffix = version.substring(VERSION.length());
        MetadataColumns keyed = new MetadataColumns(version, deleted, SYNCED_AT + suffix);
        return sortingKey.contains(SIGN + suffix) && sortingKey.contains(version) ? keyed.multiset() : keyed;
    }

    /** The set {@code target} uses, or null when it does not exist or is not laid out by EchoDB. Blocking. */
    public static MetadataColumns read(ClickHouseGateway gateway, String target) {
        ClickHouseGateway.QueryResult r = gateway.query("SELECT t.engine_full, groupArray(c.name),"
                + " groupArrayIf(c.name, c.is_in_sorting_key) FROM system.tables t"
                + " JOIN system.columns c ON c.database = t.database AND c.table = t.name WHERE t.database = "
                + ClickHouseSql.literal(gateway.database()) + " AND t.name = " + ClickHouseSql.literal(target)
                + " GROUP BY t.engine_full", "read the metadata columns of " + target);
        if (r.rows().isEmpty()) {
            return null;
        }
        Object[] row = r.rows().get(0);
        return fromEngine(new String((byte[]) row[0], java.nio.charset.StandardCharsets.UTF_8), names(row[1]),
                names(row[2]));
    }

    private static Set<String> names(Object array) {
        Set<String> out = new java.util.HashSet<>();
        for (Object name : (List<?>) array) {
            out.add(name instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : name.toString());
        }
        return out;
    }

    private static String unquote(String arg) {
        String s = arg.trim();
        if (s.length() >= 2 && s.startsWith("`") && s.endsWith("`")) {
            s = s.substring(1, s.length() - 1).replace("\\`", "`").replace("\\\\", "\\");
        }
        return s;
    }

    public List<String> names() {
        return sign == null ? List.of(version, deleted, syncedAt) : List.of(version, deleted, syncedAt, sign);
    }

    public boolean contains(String column) {
        return names().contains(column);
    }
}
