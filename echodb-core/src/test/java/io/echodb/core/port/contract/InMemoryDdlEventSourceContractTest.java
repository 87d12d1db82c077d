package io.echodb.core.port.contract;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.DdlEventSource;
import io.echodb.core.testing.InMemoryDdlEventSource;

class InMemoryDdlEventSourceContractTest extends DdlEventSourceContract {

    private final InMemoryDdlEventSource log = new InMemoryDdlEventSource();

    @Override
    protected DdlEventSource newSource() {
        return log;
    }

    @Override
    protected DdlEventSource reopen() {
        // The fake is its own durable store: a second worker sees the very same log and cursor.
        return log;
    }

    @Override
    protected void emitCreate(TableRef table) {
        log.emitCreate(table);
    }

    @Override
    protected void emitDrop(TableRef table) {
        log.emitDrop(table);
    }

    @Override
    protected void emitAlter(TableRef table) {
        log.emitAlter(table);
    }

    @Override
    protected void emitRename(TableRef from, TableRef to) {
        log.emitRename(from, to);
    }
}
