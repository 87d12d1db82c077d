package io.echodb.adapters.postgres.catalog;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.TableNotPublishableException;

/**
 * Whether PostgreSQL can identify the rows of a table in the old tuples of UPDATE and DELETE — the condition for
 * publishing it without making the application's UPDATE and DELETE fail ("cannot update table … because it does not
 * have a replica identity and publishes updates"). One SQL text, used by the describer, by publishing and by the DDL
 * guard that runs inside the application's DDL transaction, so all three always agree.
 *
 * <p>Usable: REPLICA IDENTITY FULL; DEFAULT with a primary key that is not DEFERRABLE (PostgreSQL ignores deferrable
 * keys as replica identity); USING INDEX with a valid index. A partitioned table needs this on every leaf partition,
 * because rows are updated in the leaves and leaves do not inherit their parent's REPLICA IDENTITY.
 */
public final class ReplicaIdentityCheck {

    /** What {@link #problemSql} says of a plain table without a primary key (and the default replica identity). */
    public static final String NO_PRIMARY_KEY = "has no primary key";

    private ReplicaIdentityCheck() {
    }

    /**
     * A scalar SQL expression: NULL when the relation whose OID is {@code oidExpr} (a table alias column or a
     * parameter) has a usable replica identity, otherwise why not ("has no primary key", "its partition x has …").
     */
    public static String problemSql(String oidExpr) {
        return "(SELECT CASE WHEN c.relkind = 'p' THEN ("
                + "SELECT 'its partition ' || lc.oid::pg_catalog.regclass::text || ' ' || " + leafProblem("lc")
                + " FROM pg_catalog.pg_partition_tree(c.oid) t JOIN pg_catalog.pg_class lc ON lc.oid = t.relid"
                + " WHERE t.isleaf AND lc.relkind = 'r' AND " + leafProblem("lc") + " IS NOT NULL LIMIT 1)"
                + " ELSE " + leafProblem("c") + " END"
                + " FROM pg_catalog.pg_class c WHERE c.oid = (" + oidExpr + "))";
    }

    /** The refusal to publish {@code table} for {@code problem} (a text {@link #problemSql} returned). */
    public static TableNotPublishableException refusal(TableRef table, String problem) {
        if (problem.contains("UNLOGGED")) {
            return TableNotPublishableException.of(table, problem, "or any other logical replication tool");
        }
        return TableNotPublishableException.of(table, problem + ", so publishing it would make its UPDATEs and DELETEs fail",
                remedy());
    }

    /** The hint a "no replica identity" message ends with. */
    public static String remedy() {
        return "add a primary key (not DEFERRABLE), or run ALTER TABLE ... REPLICA IDENTITY FULL (or USING INDEX),"
                + " on the table and on each of its partitions";
    }

    private static String leafProblem(String rel) {
        String index = "SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = " + rel + ".oid AND ";
        return "(CASE WHEN " + rel + ".relpersistence = 'u' THEN 'is UNLOGGED: its changes are not written to the WAL,"
                + " so they cannot be streamed; ALTER TABLE ... SET LOGGED makes it mirrorable'"
                + " ELSE CASE " + rel + ".relreplident"
                + " WHEN 'f' THEN NULL"
                + " WHEN 'n' THEN 'has REPLICA IDENTITY NOTHING'"
                + " WHEN 'i' THEN CASE WHEN EXISTS (" + index + "i.indisreplident AND i.indisvalid) THEN NULL"
                + " ELSE 'has no valid replica identity index' END"
                + " ELSE CASE WHEN EXISTS (" + index + "i.indisprimary AND i.indimmediate AND i.indisvalid) THEN NULL"
                + " WHEN EXISTS (" + index + "i.indisprimary) THEN 'has only a DEFERRABLE primary key, which PostgreSQL"
                + " does not use as replica identity'"
                + " ELSE 'has no primary key' END END END)";
    }
}
