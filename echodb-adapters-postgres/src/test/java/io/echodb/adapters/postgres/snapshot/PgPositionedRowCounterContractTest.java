package io.echodb.adapters.postgres.snapshot;

import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.adapters.postgres.replication.PgTestDatabase;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.PositionedRowCounter;
import io.echodb.core.port.contract.PositionedRowCounterContract;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/** {@link PgPositionedRowCounter} against the shared contract on real PostgreSQL (the exact count takes a temporary slot). */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PgPositionedRowCounterContractTest extends PositionedRowCounterContract {

    private static PgTestDatabase db;

    private static synchronized PgTestDatabase db() {
        if (db == null) {
            db = PgTestDatabase.create("positioned_count");
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
    protected PositionedRowCounter newCounter() {
        return new PgPositionedRowCounter(db().connections(), PgReplicationConfig.defaults().withNames("echodb_pcount", "echodb_pcount"));
    }

    @Override
    protected void givenRows(TableRef table, int n) {
        String q = PgSql.quote(table);
        db().sql("CREATE TABLE IF NOT EXISTS " + q + " (id int PRIMARY KEY)", "DELETE FROM " + q,
                "INSERT INTO " + q + " SELECT generate_series(1, " + n + ")");
    }
}
