package io.echodb.core.port.contract;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.RowCounter;
import io.echodb.core.testing.InMemoryRowCounter;
import java.time.Clock;

class InMemoryRowCounterContractTest extends RowCounterContract {

    private final InMemoryRowCounter fake = new InMemoryRowCounter(Clock.systemUTC());

    @Override
    protected RowCounter newCounter() {
        return fake;
    }

    @Override
    protected void givenRows(TableRef table, int n) {
        fake.givenRows(table, n);
    }
}
