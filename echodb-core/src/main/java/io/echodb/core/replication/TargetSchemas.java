package io.echodb.core.replication;

import io.echodb.core.port.out.TargetDefinitions;
import io.echodb.core.port.out.FencedOutException;
import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.TableSchema;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that shapes a mirror's target table (create, evolve, rebuild) and remembers which shapes it holds.
 * Its three callers differ only in how a transient failure is retried, which is what their threads can afford: a
 * create returns it to the command's caller (the control plane retries), a copy's preparation to the copy's attempt
 * (which retries), the stream retries in place ({@link MirrorGuard}: it cannot drop the events it holds). Engine lock.
 */
final class TargetSchemas {

    private static final Logger LOG = LoggerFactory.getLogger(TargetSchemas.class);
    /** Shapes remembered per mirror at most: a table changing shape all day must not grow the set forever. */
    private static final int MOST_REMEMBERED = 16;

    private final TargetDefinitions sink;

    TargetSchemas(TargetDefinitions sink) {
        this.sink = sink;
    }

    /**
     * A new mirror's target: created, or an existing one adopted and evolved. A refusal that is not transient (e.g. a
     * partition expression ClickHouse rejects) is {@link SchemaSync.Incompatible} with the sink's reason, so it is
     * reported on the mirror and not only in the log.
     */
    SchemaSync createFor(TargetShape shape, String target, TableSchema schema) {
        try {
            return shape.ensure(sink, target, schema);
        } catch (RuntimeException e) {
            if (Retrier.isTransient(e) || e instanceof FencedOutException) {
                throw e;
            }
            return new SchemaSync.Incompatible(e.getMessage());
        }
    }

    /**
     * Shapes the target for a copy of {@code schema}. The copy empties the target anyway, so one that cannot take the
     * shape in place, or could hold it only in types a fresh table would not have (a String column kept for what is
     * now a timestamp: exact, yet not what readers and checksums expect), is dropped and created again.
     * {@link SchemaSync.Incompatible} when even that does not fit.
     */
    SchemaSync prepareForCopy(MirrorRuntime m, TableSchema schema) {
        if (m.ensuredSchemas.contains(schema)) {
            return new SchemaSync.Unchanged();
        }
        SchemaSync sync = m.shape.ensure(sink, m.target(), schema);
        String rebuild = rebuildReason(m, schema, sync);
        if (rebuild != null) {
            LOG.warn("mirror {}: target {} {}; rebuilding it for the copy of {}", m.name(), m.target(), rebuild, m.table());
            sink.drop(m.target());
            sync = m.shape.ensure(sink, m.target(), schema);
        }
        remember(m, schema, sync);
        return sync;
    }

    /**
     * Brings the target in line with {@code schema} for a copy that resumes, which must keep its rows: true when that
     * took no rebuild (altered in place or unchanged, already in the canonical types); false when only a fresh copy can
     * fix it (the target is missing, cannot take the shape in place, or keeps older column types).
     */
    boolean prepareToResume(MirrorRuntime m, TableSchema schema) {
        if (m.ensuredSchemas.contains(schema)) {
            return true;
        }
        SchemaSync sync = m.shape.ensure(sink, m.target(), schema);
        if (sync instanceof SchemaSync.Incompatible || sync instanceof SchemaSync.Created
                || !sink.isCanonicalFor(m.target(), schema)) {
            return false;
        }
        remember(m, schema, sync);
        return true;
    }

    private String rebuildReason(MirrorRuntime m, TableSchema schema, SchemaSync sync) {
        if (sync instanceof SchemaSync.Incompatible inc) {
            return inc.rebuildable() ? "cannot take the new shape in place (" + inc.reason() + ")" : null;
        }
        return sink.isCanonicalFor(m.target(), schema) ? null : "keeps older column types than the table now has";
    }

    /** Pushes {@code schema} to the target as the stream saw it (drops included); nothing when already pushed. */
    SchemaSync push(MirrorRuntime m, TableSchema schema) {
        if (m.ensuredSchemas.contains(schema)) {
            return new SchemaSync.Unchanged();
        }
        SchemaSync sync = m.shape.ensure(sink, m.target(), schema);
        if (sync instanceof SchemaSync.Altered altered) {
            LOG.info("mirror {}: target {} altered: {}", m.name(), m.target(), altered.changes());
        }
        remember(m, schema, sync);
        return sync;
    }

    private static void remember(MirrorRuntime m, TableSchema schema, SchemaSync sync) {
        if (sync instanceof SchemaSync.Incompatible) {
            return;
        }
        if (m.ensuredSchemas.size() > MOST_REMEMBERED) {
            m.ensuredSchemas.clear();
        }
        m.ensuredSchemas.add(schema);
    }

    /**
     * True when the target already has every column of {@code schema} with its type. Buffered rows can carry an
     * older shape than the target (the stream lags behind a copy's fresh description); such a shape must not be
     * pushed to the target again, where a drop-column policy could remove a newer column.
     */
    static boolean covered(MirrorRuntime m, TableSchema schema) {
        if (m.ensuredSchemas.contains(schema)) {
            return true;
        }
        for (TableSchema ensured : m.ensuredSchemas) {
            if (ensured.keyColumns().equals(schema.keyColumns()) && covers(ensured, schema)) {
                return true;
            }
        }
        return false;
    }

    private static boolean covers(TableSchema wide, TableSchema narrow) {
        for (Column c : narrow.columns()) {
            var w = wide.column(c.name());
            if (w.isEmpty() || !w.get().type().equals(c.type())) {
                return false;
            }
        }
        return true;
    }

    /** {@code relation}'s columns, then those only {@code current} has; key and identity of {@code relation}. */
    static TableSchema union(TableSchema relation, TableSchema current) {
        List<Column> columns = new ArrayList<>(relation.columns());
        for (Column c : current.columns()) {
            if (relation.indexOf(c.name()) < 0) {
                columns.add(c);
            }
        }
        return new TableSchema(relation.table(), columns, relation.keyColumns(), relation.identity());
    }
}
