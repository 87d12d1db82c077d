package io.echodb.runner.wiring;

import io.echodb.adapters.clickhouse.ClickHouseGateway;
import io.echodb.adapters.clickhouse.ClickHouseHousekeeping;
import io.echodb.adapters.clickhouse.ClickHouseSql;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.port.in.MirrorControl;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CLEAN_DATABASES=true: drops EchoDB tables in the target database that no mirror owns any more (left behind when
 * mirrors were dropped with their data kept). Only tables carrying EchoDB's version column are candidates, and a table
 * must be seen orphaned in two consecutive sweeps, so a mirror being created meanwhile is never hit.
 */
final class Housekeeper {

    private static final Logger LOG = LoggerFactory.getLogger(Housekeeper.class);

    private final ClickHouseGateway gateway;
    private final ClickHouseHousekeeping housekeeping;
    private final MirrorControl mirrors;
    private Set<String> orphansLastTime = Set.of();

    Housekeeper(ClickHouseGateway gateway, MirrorControl mirrors) {
        this.gateway = gateway;
        this.housekeeping = new ClickHouseHousekeeping(gateway);
        this.mirrors = mirrors;
    }

    /** One sweep; failures are logged, the next sweep tries again. */
    synchronized void sweep() {
        try {
            List<String> tables = housekeeping.listTables();
            Set<String> owned = new HashSet<>();
            for (MirrorStatus s : mirrors.list()) {
                owned.add(s.spec().targetTable());
            }
            Set<String> orphans = new HashSet<>(tables);
            orphans.removeAll(owned);
            for (String t : orphans) {
                if (orphansLastTime.contains(t)) {
                    gateway.execute("DROP TABLE IF EXISTS " + ClickHouseSql.table(gateway.database(), t) + onCluster(),
                            "drop orphaned table " + t);
                    LOG.info("CLEAN_DATABASES: dropped orphaned target table {}.{}", gateway.database(), t);
                }
            }
            orphansLastTime = orphans;
        } catch (RuntimeException e) {
            LOG.warn("CLEAN_DATABASES sweep failed: {}", e.getMessage());
        }
    }

    private String onCluster() {
        return gateway.settings().clusterName().map(c -> " ON CLUSTER " + ClickHouseSql.identifier(c)).orElse("");
    }
}
