package io.echodb.core.port.contract;

import io.echodb.core.port.out.Leadership;
import io.echodb.core.testing.ManualClock;
import io.echodb.core.testing.InMemoryLeadership;
import java.time.Clock;
import java.time.Duration;

class InMemoryLeadershipContractTest extends LeadershipContract {

    private final ManualClock clock = new ManualClock();
    private final InMemoryLeadership.Store store = new InMemoryLeadership.Store(clock);

    @Override
    protected Leadership newLeadership(String workerId) {
        return new InMemoryLeadership(store, workerId);
    }

    @Override
    protected void awaitExpiry(Duration ttl) {
        clock.advance(ttl.plusMillis(1));
    }

    @Override
    protected Clock clock() {
        return clock;
    }
}
