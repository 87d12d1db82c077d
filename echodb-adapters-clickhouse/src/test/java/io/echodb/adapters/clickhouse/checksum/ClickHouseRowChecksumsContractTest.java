package io.echodb.adapters.clickhouse.checksum;

import io.echodb.core.port.out.RowChecksums;
import io.echodb.core.port.contract.RowChecksumsContract;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/** {@link ClickHouseRowChecksums} against the shared contract, on tables written by the real sink. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClickHouseRowChecksumsContractTest extends RowChecksumsContract {

    private static ChecksumTarget target;

    private static synchronized ChecksumTarget target() {
        if (target == null) {
            target = ChecksumTarget.create("checksum_contract");
        }
        return target;
    }

    @AfterAll
    static void close() {
        if (target != null) {
            target.close();
        }
    }

    @Override
    protected RowChecksums newChecksums() {
        return target().checksums();
    }

    @Override
    protected void givenTable(TableSchema schema, List<Row> rows) {
        target().givenTable(schema, rows, 0x1000);
    }
}
