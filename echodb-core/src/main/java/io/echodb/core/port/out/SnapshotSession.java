package io.echodb.core.port.out;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.TableSchema;
import java.util.List;
import java.util.Set;

/**
 * Driven (data flowing in): a consistent read of the source at exactly {@link #consistentPoint()}: every commit up to that point is
 * visible, none after. Blocking; closing releases the exported snapshot.
 */
public interface SnapshotSession extends AutoCloseable {

    Lsn consistentPoint();

    /**
     * Estimate of the table's rows outside the {@code finished} ranges (an earlier attempt's; empty for all rows), from
     * statistics, without counting a large table; 0 when unknown. What a resumed copy has left to read.
     */
    long estimateRows(TableRef table, List<CopyRange> finished);

    /**
     * Copies every row of {@code schema}'s table but the columns named in {@code omitted} (never read): rows hold
     * {@code schema}'s other columns in its order, using up to {@code parallelism} workers on the same snapshot; batches
     * may arrive from several threads concurrently, and each page range read completely is reported to
     * {@code receiver} after its rows. Pages of the {@code finished} ranges (an earlier attempt's) are not read again,
     * unless their leaf's file is another one now. Throws {@link SourceTableChangedException} before delivering any row
     * when the snapshot's table is not the one {@code schema} describes (another relation id, or other columns —
     * omitted ones included), and when a leaf's file changed while it was read. One method on purpose: an overload
     * that wrappers override would be bypassed.
     */
    void copy(TableSchema schema, Set<String> omitted, int parallelism, List<CopyRange> finished, CopyReceiver receiver);

    @Override
    void close();
}
