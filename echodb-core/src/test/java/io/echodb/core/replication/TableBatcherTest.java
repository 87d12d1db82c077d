package io.echodb.core.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.change.Lsn;
import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableBatcherTest {

    private static final TableRef T = TableRef.of("public", "t");
    private static final TableSchema SCHEMA = new TableSchema(T, List.of(EngineFixture.ID, EngineFixture.NAME), List.of("id"),
            ReplicaIdentity.DEFAULT);

    private final BufferTotals totals = new BufferTotals();
    private final TableBatcher b = new TableBatcher(T, SCHEMA, totals);

    @Test
    void theWatermarkIsThePositionBeforeTheFirstBufferedRow() {
        b.add(row(1, "a"), RowKey.of(1L), Lsn.of(100), 0);
        b.add(row(2, "b"), RowKey.of(2L), Lsn.of(200), 5);

        assertThat(b.watermark()).isEqualTo(Lsn.of(100));
        assertThat(b.olderThan(10, 9)).isFalse();
        assertThat(b.olderThan(10, 10)).isTrue();
        assertThat(b.latestFor(RowKey.of(2L)).row()).isEqualTo(Row.of(2L, "b"));
        assertThat(totals.rows()).isEqualTo(2);

        List<SinkRow> taken = b.take();
        assertThat(taken).hasSize(2);
        assertThat(b.isEmpty()).isTrue();
        assertThat(totals.rows()).isZero();
        assertThat(totals.bytes()).isZero();
        assertThat(totals.maxRows()).isEqualTo(2);

        b.add(row(3, "c"), RowKey.of(3L), Lsn.of(300), 20);
        assertThat(b.watermark()).isEqualTo(Lsn.of(300));
    }

    @Test
    void rowsPutBackKeepTheirOlderWatermarkAndAge() {
        b.add(row(1, "a"), RowKey.of(1L), Lsn.of(100), 0);
        List<SinkRow> taken = b.take();
        b.putBack(taken, Lsn.of(100), 0);

        assertThat(b.size()).isEqualTo(1);
        assertThat(b.watermark()).isEqualTo(Lsn.of(100));
        assertThat(b.olderThan(10, 10)).isTrue();
        assertThat(totals.rows()).isEqualTo(1);
    }

    @Test
    void aDiscardedBufferIgnoresPutBacksAndRefusesRows() {
        b.add(row(1, "a"), RowKey.of(1L), Lsn.of(100), 0);
        List<SinkRow> taken = b.take();
        b.discard();
        b.putBack(taken, Lsn.of(100), 0);

        assertThat(b.isEmpty()).isTrue();
        assertThat(totals.rows()).isZero();
        assertThatThrownBy(() -> b.add(row(2, "b"), RowKey.of(2L), Lsn.of(1), 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void onlyAnEmptyBufferChangesSchema() {
        b.add(row(1, "a"), RowKey.of(1L), Lsn.of(100), 0);
        assertThatThrownBy(() -> b.switchSchema(SCHEMA)).isInstanceOf(IllegalStateException.class);
    }

    private static SinkRow row(long id, String name) {
        return new SinkRow(Row.of(id, name), new RowVersion(1, id), false);
    }
}
