package io.echodb.adapters.postgres.snapshot;

import io.echodb.adapters.postgres.decode.PgTextDecoders;
import io.echodb.adapters.postgres.decode.TextDecoder;
import io.echodb.adapters.postgres.jdbc.PgReplicationConfig;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.port.out.CopyRange;
import io.echodb.core.port.out.CopyReceiver;
import io.echodb.core.port.out.SourceTableChangedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicReference;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One copy worker: takes work items until none is left or another worker failed, reads each with COPY text output on
 * its connection (already in the snapshot), decodes the rows and hands them over in batches bounded in values; then
 * reports each page range read completely. A range counts only if the leaf's file is still the planned one once the
 * COPY holds its lock (kept to the end of the transaction): a rewrite between planning and reading moves rows between
 * pages, and ranges planned on the old file would miss some.
 */
final class CopyWorker {

    private static final Logger LOG = LoggerFactory.getLogger(CopyWorker.class);

    /**
     * Values (rows × columns) handed over per batch at most: a few hundred KiB of decoded Java objects, so the receiver
     * (which sizes and gathers them) still finds them in the CPU cache; JFR showed it paying for cache misses when
     * batches were 5–10 MiB.
     */
    static final int MAX_VALUES_PER_BATCH = 16_384;

    private final PgReplicationConfig config;

    CopyWorker(PgReplicationConfig config) {
        this.config = config;
    }

    void work(Connection c, TableSchema schema, ConcurrentLinkedQueue<CopyPlan.CopyItem> work,
              CopyReceiver batches, AtomicReference<Throwable> failure) {
        try {
            List<Column> cols = schema.columns();
            TextDecoder[] decoders = new TextDecoder[cols.size()];
            String[] names = new String[cols.size()];
            for (int i = 0; i < decoders.length; i++) {
                decoders[i] = PgTextDecoders.forType(cols.get(i).type());
                names[i] = schema.table() + "." + cols.get(i).name();
            }
            CopyTextParser parser = new CopyTextParser(decoders, names);
            // Batches are bounded in values, not only rows: a 1,000-column table fills memory long before 5,000 rows.
            int batchRows = Math.max(1, Math.min(config.copyBatchRows(), MAX_VALUES_PER_BATCH / Math.max(1, cols.size())));
            List<Row>[] batch = newBatch(batchRows);
            // One consumer for all rows (PostgreSQL sends a message per row: a lambda per message was garbage per row)
            Consumer<Object[]> rows = values -> {
                batch[0].add(Row.wrap(values));
                if (batch[0].size() >= batchRows) {
                    batches.accept(batch[0]);
                    batch[0] = new ArrayList<>(batchRows);
                }
            };
            CopyPlan.CopyItem item;
            while (failure.get() == null && (item = work.poll()) != null) {
                LOG.debug("copying {}", item.description());
                CopyOut out = c.unwrap(PGConnection.class).getCopyAPI().copyOut(item.sql());
                try {
                    byte[] chunk;
                    while ((chunk = out.readFromCopy()) != null) {
                        parser.feed(chunk, rows);
                        if (failure.get() != null) {
                            out.cancelCopy();
                            return;
                        }
                    }
                    parser.finish();
                } finally {
                    if (out.isActive()) {
                        out.cancelCopy();
                    }
                }
                if (!batch[0].isEmpty()) {
                    batches.accept(batch[0]);
                    batch[0] = new ArrayList<>(batchRows);
                }
                if (item.isRange()) {
                    batches.rangeFinished(readRange(c, schema, item));
                }
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    /** The range {@code item} read, in the leaf's current file; throws when that is not the planned file. */
    private static CopyRange readRange(Connection c, TableSchema schema, CopyPlan.CopyItem item) throws SQLException {
        long fileNow;
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(pg_catalog.pg_relation_filenode(?::oid)::bigint, 0)")) {
            ps.setLong(1, item.relationId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                fileNow = rs.getLong(1);
            }
        }
        if (fileNow != item.fileNode() && !item.wholeFile()) {
            throw SourceTableChangedException.changedDuringCopy(schema.table(), item.description()
                    + " was planned on file " + item.fileNode() + ", which was rewritten (now file " + fileNow + ")");
        }
        return item.readFrom(fileNow);
    }

    @SuppressWarnings("unchecked")
    private static List<Row>[] newBatch(int rows) {
        List<Row>[] holder = new List[1];
        holder[0] = new ArrayList<>(rows);
        return holder;
    }

}
