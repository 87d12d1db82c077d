package io.echodb.runner.wiring;

import io.echodb.adapters.clickhouse.ClickHouseGateway;
import io.echodb.adapters.clickhouse.ClickHouseRowCounter;
import io.echodb.adapters.clickhouse.checksum.ClickHouseRowChecksums;
import io.echodb.adapters.postgres.checksum.PgRowChecksums;
import io.echodb.adapters.postgres.checksum.PgSlotPosition;
import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.postgres.snapshot.PgPositionedRowCounter;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.port.out.SourceCatalog;
import io.echodb.core.service.ConsistencyChecker;
import io.echodb.core.service.checksum.ChecksumComparer;
import io.echodb.core.service.checksum.ChecksumSettings;
import io.echodb.core.time.Sleeper;
import io.echodb.runner.config.EchoDbConfig;
import io.echodb.runner.resilience.Resilience;
import io.echodb.runner.resilience.ResilientPositionedRowCounter;
import java.time.Clock;
import java.time.Duration;

/** Builds the checker's parts that compare both sides at the slot's confirmed position: native engine only, null with PeerDB. */
final class PositionedChecks {

    private PositionedChecks() {
    }

    /**
     * With the native engine, count checks read both sides at one source position and wait only for the slot's
     * confirmed position to pass it; PeerDB's tables carry no positions, so its checks count now and recheck.
     */
    static ConsistencyChecker.Positions countPositions(EchoDbConfig config, PgConnectionFactory pg, Resilience resilience,
            ClickHouseRowCounter targetRows) {
        if (!config.engine().isNative()) {
            return null;
        }
        PgSlotPosition slot = new PgSlotPosition(pg, config.engine().slotName());
        PgPositionedRowCounter source = new PgPositionedRowCounter(pg, MirrorEngines.replicationConfig(config));
        return new ConsistencyChecker.Positions(new ResilientPositionedRowCounter(source, resilience),
                targetRows, table -> slot.confirmedFlush(), Duration.ofSeconds(10), Duration.ofMillis(100));
    }

    /**
     * Row checksums compare both sides at the slot's confirmed position, which only the native engine's versioned
     * tables allow; with PeerDB there is no comparer and checksum mode is refused.
     */
    static ChecksumComparer checksumComparer(EchoDbConfig config, PgConnectionFactory pg, SourceCatalog catalog,
            ClickHouseGateway clickhouse, WatchPolicy policy, Clock clock) {
        if (!"native".equals(config.engine().kind())) {
            return null;
        }
        PgSlotPosition slot = new PgSlotPosition(pg, config.engine().slotName());
        return new ChecksumComparer(catalog, new PgRowChecksums(pg), new ClickHouseRowChecksums(clickhouse, policy::targetTableFor),
                table -> slot.confirmedFlush(), ChecksumSettings.defaults(), clock, Sleeper.SYSTEM);
    }
}
