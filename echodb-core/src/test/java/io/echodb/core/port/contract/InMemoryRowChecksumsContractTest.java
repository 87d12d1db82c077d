package io.echodb.core.port.contract;

import io.echodb.core.port.out.RowChecksums;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.testing.InMemoryRowChecksums;
import java.util.List;

class InMemoryRowChecksumsContractTest extends RowChecksumsContract {

    private final InMemoryRowChecksums fake = InMemoryRowChecksums.source();

    @Override
    protected RowChecksums newChecksums() {
        return fake;
    }

    @Override
    protected void givenTable(TableSchema schema, List<Row> rows) {
        fake.givenTable(schema);
        rows.forEach(r -> fake.put(schema.table(), r));
    }
}
