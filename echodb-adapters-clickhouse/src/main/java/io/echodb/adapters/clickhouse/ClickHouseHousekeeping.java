package io.echodb.adapters.clickhouse;

import io.echodb.adapters.clickhouse.ClickHouseGateway.QueryResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Maintenance of the mirrored tables: forcing merges so that old versions and delete markers are collapsed on disk
 * (queries with FINAL are correct without it), and listing the tables EchoDB manages in the target database.
 */
public final class ClickHouseHousekeeping {

    private final ClickHouseGateway gateway;
    private final TargetDdl ddl;

    public ClickHouseHousekeeping(ClickHouseGateway gateway) {
        this.gateway = gateway;
        this.ddl = new TargetDdl(gateway.database(), gateway.settings().cluster());
    }

    /** {@code OPTIMIZE TABLE … FINAL}: merges every part of {@code target} now. Blocking; can be slow on big tables. */
    public void optimizeFinal(String target) {
        gateway.execute(ddl.optimizeFinal(target), "optimize table " + target);
    }

    /** Names of the tables in the target database that carry EchoDB's version column, sorted. */
    public List<String> listTables() {
        QueryResult r = gateway.query("SELECT DISTINCT table FROM system.columns WHERE database = "
                + ClickHouseSql.literal(gateway.database()) + " AND startsWith(name, "
                + ClickHouseSql.literal(ClickHouseChangeSink.VERSION_COLUMN) + ") ORDER BY table", "list mirrored tables");
        List<String> names = new ArrayList<>(r.rows().size());
        for (Object[] row : r.rows()) {
            names.add(new String((byte[]) row[0], StandardCharsets.UTF_8));
        }
        return names;
    }
}
