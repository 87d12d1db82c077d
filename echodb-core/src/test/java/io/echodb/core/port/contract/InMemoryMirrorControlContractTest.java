package io.echodb.core.port.contract;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.testing.InMemoryMirrorControl;
import io.echodb.core.testing.InMemorySourceCatalog;
import java.time.Clock;

class InMemoryMirrorControlContractTest extends MirrorControlContract {

    private final InMemorySourceCatalog catalog = new InMemorySourceCatalog();

    @Override
    protected MirrorControl newMirrorControl() {
        return new InMemoryMirrorControl(Clock.systemUTC(), catalog);
    }

    @Override
    protected void givenSourceTable(TableRef table) {
        catalog.createTable(table, true);
    }
}
