package io.echodb.adapters.postgres.snapshot;

import io.echodb.adapters.postgres.jdbc.PgQuoting;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;
import io.echodb.adapters.postgres.jdbc.PgSourceException;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.Column;
import io.echodb.core.port.out.CopyCheckpoint;
import io.echodb.core.port.out.CopyRange;
import io.echodb.core.port.out.SourceTableChangedException;
import io.echodb.core.schema.TableSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits a table's copy into work items: CTID page ranges of large leaves (PostgreSQL 14+: for parallel workers, and
 * so that a copy cut short resumes from the ranges it finished), whole leaves otherwise, the partitioned table through
 * the executor when a leaf is not a plain table; and checks first that the snapshot holds the very table (relation and
 * columns) the copy was described for. Pages of ranges finished by an earlier attempt are left out while the leaf's
 * file is the one they were read from.
 */
final class CopyPlan {

    private static final Logger LOG = LoggerFactory.getLogger(CopyPlan.class);

    /** Ranges hold at most this many pages (1 GiB at the default block size): what an interrupted copy loses at most per worker. */
    static final long MAX_PAGES_PER_RANGE = 131_072;

    /**
     * One COPY statement of a table's copy, and what it reads (for the log): pages {@code [firstPage, endPage)} of
     * leaf {@code relationId} in file {@code fileNode} as planned; relation 0 for the executor's read of a whole
     * partitioned table, which is no range.
     */
    record CopyItem(String sql, String description, long relationId, long fileNode, long firstPage, long endPage) {

        static CopyItem noRange(String sql, String description) {
            return new CopyItem(sql, description, 0, 0, 0, 0);
        }

        boolean isRange() {
            return relationId != 0;
        }

        /** The whole file: any file the COPY read is read completely, so a rewrite before it does no harm. */
        boolean wholeFile() {
            return firstPage == 0 && endPage == CopyRange.END;
        }

        /** The range the COPY read, in file {@code fileNow} (the leaf's file once the COPY holds its lock). */
        CopyRange readFrom(long fileNow) {
            return new CopyRange(relationId, fileNow, firstPage, endPage);
        }
    }

    private record Leaf(TableRef table, long oid, long fileNode, long pages) {
    }

    private final PgReplicationConfig config;
    private final int serverMajor;

    CopyPlan(PgReplicationConfig config, int serverMajor) {
        this.config = config;
        this.serverMajor = serverMajor;
    }

    /**
     * Work items: CTID ranges of large leaves (PostgreSQL 14+), whole leaves otherwise; without the pages of
     * {@code finished} ranges of a leaf's current file.
     */
    List<CopyItem> plan(Connection c, TableSchema schema, TableSchema read, int workers, List<CopyRange> finished)
            throws SQLException {
        TableRef table = schema.table();
        String columns = columnList(read);
        long oid;
        char relkind;
        try (PreparedStatement ps = c.prepareStatement("SELECT c.oid::bigint, c.relkind FROM pg_catalog.pg_class c"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?"
                + " AND c.relkind IN ('r', 'p')")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw PgSourceException.tableNotFound(table.qualified());
                }
                oid = rs.getLong(1);
                relkind = rs.getString(2).charAt(0);
            }
        }
        checkSameTable(c, schema, oid);
        List<Leaf> leaves = new ArrayList<>();
        boolean onlyPlainLeaves = true;
        try (PreparedStatement ps = c.prepareStatement("WITH RECURSIVE tree(oid) AS (SELECT ?::oid UNION ALL"
                + " SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent = t.oid)"
                + " SELECT n.nspname, c.relname, c.relkind,"
                + " pg_catalog.pg_relation_size(c.oid) / current_setting('block_size')::bigint,"
                + " c.oid::bigint, coalesce(pg_catalog.pg_relation_filenode(c.oid)::bigint, 0)"
                + " FROM tree t JOIN pg_catalog.pg_class c ON c.oid = t.oid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + (relkind == 'r' ? " WHERE c.oid = ?::oid" : " WHERE c.relkind NOT IN ('p')"))) {
            ps.setLong(1, oid);
            if (relkind == 'r') {
                ps.setLong(2, oid);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    char kind = rs.getString(3).charAt(0);
                    if (kind != 'r') {
                        onlyPlainLeaves = false;
                    }
                    leaves.add(new Leaf(new TableRef(rs.getString(1), rs.getString(2)), rs.getLong(5), rs.getLong(6),
                            rs.getLong(4)));
                }
            }
        }
        List<CopyItem> items = new ArrayList<>();
        if (!onlyPlainLeaves) {
            // e.g. a foreign-table partition: let the executor read the whole partitioned table
            items.add(CopyItem.noRange("COPY (SELECT " + columns + " FROM " + PgSql.quote(table) + ") TO STDOUT",
                    table.qualified()));
            return items;
        }
        for (Leaf leaf : leaves) {
            List<CopyRange> gaps = CopyCheckpoint.remaining(finished, leaf.oid, leaf.fileNode);
            boolean whole = gaps.size() == 1 && gaps.get(0).firstPage() == 0 && gaps.get(0).openEnded();
            if (whole && finished.stream().anyMatch(r -> r.relationId() == leaf.oid)) {
                LOG.info("{} was rewritten since ranges of it were copied (file {}): copying all of it again",
                        leaf.table, leaf.fileNode);
            }
            long min = config.minPagesPerCopyRange();
            if (whole && (serverMajor < 14 || leaf.pages < 2 * min)) {
                items.add(new CopyItem("COPY " + PgSql.quote(leaf.table) + " (" + columns + ") TO STDOUT",
                        leaf.table.qualified(), leaf.oid, leaf.fileNode, 0, CopyRange.END));
                continue;
            }
            long size = Math.min(MAX_PAGES_PER_RANGE, Math.max(min, (leaf.pages + workers * 4L - 1) / (workers * 4L)));
            for (CopyRange gap : gaps) {
                addRanges(items, leaf, columns, gap, size);
            }
        }
        LOG.debug("copy plan for {}: {} item(s) over {} leaf table(s)", table, items.size(), leaves.size());
        return items;
    }

    /**
     * Splits {@code gap} into ranges of {@code size} pages; an open-ended gap ends with an open-ended range, so pages
     * added after the size was measured are still covered. (Before PostgreSQL 14 a TID condition filters a full scan:
     * slower, as correct.)
     */
    private static void addRanges(List<CopyItem> items, Leaf leaf, String columns, CopyRange gap, long size) {
        long start = gap.firstPage();
        while (true) {
            long end = start + size;
            boolean last = gap.openEnded() ? end >= leaf.pages : end >= gap.endPage();
            long stop = last ? gap.endPage() : end;
            String where = " WHERE ctid >= '(" + start + ",0)'::tid"
                    + (stop == CopyRange.END ? "" : " AND ctid < '(" + stop + ",0)'::tid");
            items.add(new CopyItem("COPY (SELECT " + columns + " FROM ONLY " + PgSql.quote(leaf.table) + where
                    + ") TO STDOUT", leaf.table.qualified() + " pages " + start + ".."
                    + (stop == CopyRange.END ? "end" : String.valueOf(stop)), leaf.oid, leaf.fileNode, start, stop));
            if (last) {
                return;
            }
            start = end;
        }
    }

    /**
     * The snapshot must hold the table that {@code schema} describes: the same relation (not a table dropped and
     * created again under the name) with the same column names and types, or copied values would land in the wrong
     * generation or under another shape (a column added before the snapshot would be copied as NULL).
     */
    private static void checkSameTable(Connection c, TableSchema schema, long oid) throws SQLException {
        if (schema.relationId() != TableSchema.UNKNOWN_RELATION && schema.relationId() != oid) {
            throw SourceTableChangedException.replaced(schema.table(), schema.relationId(), oid);
        }
        List<String> inSnapshot = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)"
                + " FROM pg_catalog.pg_attribute a WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped"
                + (c.getMetaData().getDatabaseMajorVersion() >= 12 ? " AND a.attgenerated = ''" : "")
                + " ORDER BY a.attnum")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inSnapshot.add(rs.getString(1) + " " + rs.getString(2));
                }
            }
        }
        List<String> described = new ArrayList<>();
        for (var column : schema.columns()) {
            described.add(column.name() + " " + column.sourceType());
        }
        if (!described.equals(inSnapshot)) {
            throw SourceTableChangedException.reshaped(schema.table(), described, inSnapshot);
        }
    }

    private static String columnList(TableSchema schema) {
        StringBuilder sb = new StringBuilder();
        for (Column c : schema.columns()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(PgQuoting.ident(c.name()));
        }
        return sb.toString();
    }

}
