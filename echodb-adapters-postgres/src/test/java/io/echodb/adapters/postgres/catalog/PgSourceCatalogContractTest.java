package io.echodb.adapters.postgres.catalog;

import io.echodb.adapters.postgres.jdbc.PgQuoting;
import io.echodb.adapters.postgres.jdbc.PgSql;
import io.echodb.adapters.postgres.replication.PgTestDatabase;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.SourceCatalog;
import io.echodb.core.port.contract.SourceCatalogContract;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/** {@link PgSourceCatalog} against the shared contract, with SQL hooks. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class PgSourceCatalogContractTest extends SourceCatalogContract {

    private static PgTestDatabase db;

    private static synchronized PgTestDatabase db() {
        if (db == null) {
            db = PgTestDatabase.create("catalog_contract");
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
    protected SourceCatalog newCatalog() {
        return new PgSourceCatalog(db().connections());
    }

    @Override
    protected void createTable(TableRef table, boolean withPrimaryKey) {
        db().sql("CREATE SCHEMA IF NOT EXISTS " + PgQuoting.ident(table.schema()),
                "CREATE TABLE " + PgSql.quote(table) + " (id bigint NOT NULL, name text"
                        + (withPrimaryKey ? ", PRIMARY KEY (id)" : "") + ")");
    }

    @Override
    protected void dropTable(TableRef table) {
        db().sql("DROP TABLE " + PgSql.quote(table));
    }

    @Override
    protected void renameTable(TableRef from, TableRef to) {
        db().sql("ALTER TABLE " + PgSql.quote(from) + " RENAME TO " + PgQuoting.ident(to.name()));
    }
}
