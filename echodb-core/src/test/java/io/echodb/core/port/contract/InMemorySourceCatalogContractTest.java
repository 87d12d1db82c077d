package io.echodb.core.port.contract;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.SourceCatalog;
import io.echodb.core.testing.InMemorySourceCatalog;

class InMemorySourceCatalogContractTest extends SourceCatalogContract {

    private final InMemorySourceCatalog fake = new InMemorySourceCatalog();

    @Override
    protected SourceCatalog newCatalog() {
        return fake;
    }

    @Override
    protected void createTable(TableRef table, boolean withPrimaryKey) {
        fake.createTable(table, withPrimaryKey);
    }

    @Override
    protected void renameTable(TableRef from, TableRef to) {
        fake.renameTable(from, to);
    }

    @Override
    protected void dropTable(TableRef table) {
        fake.dropTable(table);
    }
}
