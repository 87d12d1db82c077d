package io.echodb.adapters.postgres.snapshot;

import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.CopyCheckpoint;
import io.echodb.core.port.out.CopyRange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** How many rows a table has, from the first second of its copy (for progress), without counting a large table. */
final class RowEstimate {

    private final PgConnectionFactory connections;

    RowEstimate(PgConnectionFactory connections) {
        this.connections = connections;
    }

    /** Never-analyzed leaves up to this many pages (8 MiB at the default block size) are counted exactly. */
    static final long EXACT_COUNT_MAX_PAGES = 1024;

    /**
     * Rows of the table (the sum of its leaves for a partitioned one), from the first second: the statistics scaled to
     * the current size as the planner does; a never-analyzed leaf (a table just created and filled, the usual case
     * for auto-mirroring) is counted exactly when small and sampled (TABLESAMPLE SYSTEM, about 1,024 pages) when
     * large. Never "0" for a table that has rows, unless {@code finished} ranges cover all its pages: each leaf counts
     * with the share of its current file's pages that no finished range covers.
     */
    long estimateRows(TableRef table, List<CopyRange> finished) {
        try (Connection c = connections.open();
             // reltuples is -1 for a never-analyzed table (PostgreSQL 14+) and 0 for a partitioned root: look at the leaves
             PreparedStatement ps = c.prepareStatement("WITH RECURSIVE root AS ("
                     + " SELECT c.oid, c.relkind FROM pg_catalog.pg_class c"
                     + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                     + " WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')),"
                     + " tree(oid) AS (SELECT oid FROM root UNION ALL"
                     + " SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree t ON i.inhparent = t.oid"
                     + " WHERE (SELECT relkind FROM root) = 'p')"
                     + " SELECT c.oid::regclass::text, c.reltuples, c.relpages,"
                     + " pg_catalog.pg_relation_size(c.oid) / current_setting('block_size')::int, c.oid::bigint,"
                     + " c.relfilenode::bigint FROM tree t"
                     + " JOIN pg_catalog.pg_class c ON c.oid = t.oid WHERE c.relkind = 'r'")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            double total = 0;
            List<String> unanalyzed = new ArrayList<>();
            List<Long> unanalyzedPages = new ArrayList<>();
            List<Double> unanalyzedShares = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double tuples = rs.getDouble(2);
                    long statPages = rs.getLong(3);
                    long pages = rs.getLong(4);
                    double share = CopyCheckpoint.uncoveredShare(finished, rs.getLong(5), rs.getLong(6), pages);
                    if (tuples >= 0 && statPages > 0) {
                        total += tuples / statPages * pages * share;
                    } else if (tuples > 0 || pages == 0) {
                        total += Math.max(tuples, 0) * share;
                    } else if (share > 0) {
                        unanalyzed.add(rs.getString(1));
                        unanalyzedPages.add(pages);
                        unanalyzedShares.add(share);
                    }
                }
            }
            for (int i = 0; i < unanalyzed.size(); i++) {
                total += countOrSample(c, unanalyzed.get(i), unanalyzedPages.get(i)) * unanalyzedShares.get(i);
            }
            return Math.max(0, Math.round(total));
        } catch (SQLException e) {
            throw PgSql.translate("estimate the rows of " + table, e);
        }
    }

    /** {@code relation}: a regclass text (already quoted as needed). */
    private static long countOrSample(Connection c, String relation, long pages) throws SQLException {
        double percent = pages <= EXACT_COUNT_MAX_PAGES ? 100 : Math.max(0.01, 100.0 * EXACT_COUNT_MAX_PAGES / pages);
        String sql = "SELECT count(*) FROM ONLY " + relation
                + (percent >= 100 ? "" : " TABLESAMPLE SYSTEM (" + String.format(java.util.Locale.ROOT, "%.4f", percent) + ")");
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return Math.round(rs.getLong(1) * 100.0 / percent);
        }
    }

}
