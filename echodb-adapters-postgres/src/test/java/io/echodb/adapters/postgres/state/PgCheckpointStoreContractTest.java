package io.echodb.adapters.postgres.state;

import io.echodb.adapters.postgres.replication.PgTestDatabase;
import io.echodb.core.port.out.CheckpointStore;
import io.echodb.core.port.contract.CheckpointStoreContract;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/** {@link PgCheckpointStore} against the shared contract; each test gets its own state schema (an empty store). */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class PgCheckpointStoreContractTest extends CheckpointStoreContract {

    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static PgTestDatabase db;
    private String schema;

    private static synchronized PgTestDatabase db() {
        if (db == null) {
            db = PgTestDatabase.create("checkpoint_contract");
        }
        return db;
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) {
            db.drop();
        }
    }

    @Override
    protected CheckpointStore createStore() {
        schema = "_echodb Contract \"" + SCHEMAS.incrementAndGet() + "\"";
        return new PgCheckpointStore(db().connections(), schema);
    }

    @Override
    protected CheckpointStore reopen(CheckpointStore store) {
        return new PgCheckpointStore(db().connections(), schema);
    }
}
