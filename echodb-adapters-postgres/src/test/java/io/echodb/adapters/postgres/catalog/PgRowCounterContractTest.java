package io.echodb.adapters.postgres.catalog;

import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.adapters.postgres.replication.PgTestDatabase;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.RowCounter;
import io.echodb.core.port.contract.RowCounterContract;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/** {@link PgRowCounter} against the shared contract, with SQL hooks. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class PgRowCounterContractTest extends RowCounterContract {

    private static PgTestDatabase db;

    private static synchronized PgTestDatabase db() {
        if (db == null) {
            db = PgTestDatabase.create("rowcount_contract");
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
    protected RowCounter newCounter() {
        return new PgRowCounter(db().connections(), Clock.systemUTC());
    }

    @Override
    protected void givenRows(TableRef table, int n) {
        String q = PgSql.quote(table);
        db().sql("CREATE TABLE IF NOT EXISTS " + q + " (id int PRIMARY KEY)", "DELETE FROM " + q,
                "INSERT INTO " + q + " SELECT generate_series(1, " + n + ")");
    }
}
