package io.echodb.core.port.contract;

import io.echodb.core.port.out.CheckpointStore;
import io.echodb.core.testing.InMemoryCheckpointStore;

class InMemoryCheckpointStoreContractTest extends CheckpointStoreContract {

    @Override
    protected CheckpointStore createStore() {
        return new InMemoryCheckpointStore();
    }
}
