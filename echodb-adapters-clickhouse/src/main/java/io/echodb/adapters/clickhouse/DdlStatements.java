package io.echodb.adapters.clickhouse;

import java.util.Map;

/** Runs one sink's DDL: for a leader's fenced sink only while its token is current, under a query id a newer claim waits for. */
final class DdlStatements {

    private final ClickHouseGateway gateway;
    /** Null for an unfenced sink. */
    private final TargetFence fence;

    DdlStatements(ClickHouseGateway gateway, TargetFence fence) {
        this.gateway = gateway;
        this.fence = fence;
    }

    void execute(String sql, String what) {
        if (fence == null) {
            gateway.execute(sql, what);
            return;
        }
        fence.requireCurrent(what);
        gateway.execute(sql, what, Map.of(), fence.queryId());
    }
}
