package io.echodb.adapters.clickhouse;

import io.echodb.core.port.out.ChangeSink;
import java.util.UUID;

/** The ChangeSink contract for a leader's fenced sink: conditional inserts and removals, checked DDL. */
class FencedClickHouseChangeSinkContractTest extends ClickHouseChangeSinkContractTest {

    @Override
    protected ChangeSink createSink() {
        return new ClickHouseChangeSink(db.gateway).fencedBy("contract:" + UUID.randomUUID(), 7);
    }
}
