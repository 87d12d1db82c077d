package io.echodb.adapters.postgres.checksum;

import io.echodb.adapters.postgres.replication.PgTestDatabase;
import io.echodb.core.port.out.RowChecksums;
import io.echodb.core.port.contract.RowChecksumsContract;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/** {@link PgRowChecksums} against the shared contract: every reading equals the reference canonical form. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PgRowChecksumsContractTest extends RowChecksumsContract {

    private static PgTestDatabase db;

    private static synchronized PgTestDatabase db() {
        if (db == null) {
            db = PgTestDatabase.create("checksum_contract");
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
    protected RowChecksums newChecksums() {
        return new PgRowChecksums(db().connections());
    }

    @Override
    protected void givenTable(TableSchema schema, List<Row> rows) {
        PgTables.create(db(), schema, rows);
    }
}
