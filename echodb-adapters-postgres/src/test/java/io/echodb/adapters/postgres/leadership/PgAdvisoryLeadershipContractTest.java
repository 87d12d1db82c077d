package io.echodb.adapters.postgres.leadership;

import io.echodb.adapters.postgres.ddl.PgTestDb;
import io.echodb.core.port.out.Leadership;
import io.echodb.core.port.contract.LeadershipContract;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * The Leadership contract against real advisory locks. Expiry is the server's: the holder's session carries
 * {@code idle_session_timeout} = TTL, so a holder that stops renewing is disconnected and its lock freed.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PgAdvisoryLeadershipContractTest extends LeadershipContract {

    private static PgTestDb db;

    /** A fresh lock per test, so leftovers of one test never block the next. */
    private final String lockName = "contract-lease-" + UUID.randomUUID();
    private final List<PgAdvisoryLeadership> workers = new ArrayList<>();

    @BeforeAll
    static void createDatabase() {
        db = PgTestDb.create("leader_contract");
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @AfterEach
    void closeWorkers() {
        workers.forEach(PgAdvisoryLeadership::close);
    }

    @Override
    protected Leadership newLeadership(String workerId) {
        PgAdvisoryLeadership w = new PgAdvisoryLeadership(db.connections(),
                PgLeadershipSettings.of(workerId).withLockName(lockName), Clock.systemUTC());
        workers.add(w);
        return w;
    }
}
