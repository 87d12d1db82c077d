package io.echodb.core.replication;

import io.echodb.core.change.Lsn;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.TableSchema;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the mirror a streamed change belongs to, and the shape it was written in: the stream names a table as it was
 * when the change was written, so a change goes to the mirror following its relation (also under a new name), never
 * to another generation of a table with the same name, and never to a mirror whose copy already contains it. Holds
 * the Relation messages of the stream session. Engine lock.
 */
final class ChangeRouter {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeRouter.class);

    private final MirrorRegistry registry;
    private final VersionAssigner versions;
    private final Map<TableRef, TableSchema> relations = new HashMap<>();
    /** The latest Relation message of each known relation id: a renamed table's rows keep their relation. */
    private final Map<Long, TableSchema> relationsById = new HashMap<>();

    ChangeRouter(MirrorRegistry registry, VersionAssigner versions) {
        this.registry = registry;
        this.versions = versions;
    }

    /** A Relation message: rows that follow are in this shape. */
    void announced(TableSchema schema) {
        relations.put(schema.table(), schema);
        if (schema.relationId() != TableSchema.UNKNOWN_RELATION) {
            relationsById.put(schema.relationId(), schema);
        }
    }

    /** The latest Relation message of {@code relationId} in this session, or null (none yet, or an unknown relation). */
    TableSchema announcedBefore(long relationId) {
        return relationId == TableSchema.UNKNOWN_RELATION ? null : relationsById.get(relationId);
    }

    /** The session ended: its Relation messages are sent again by the next one. */
    void forgetRelations() {
        relations.clear();
        relationsById.clear();
    }

    /** The latest Relation message of {@code relationId}, else of the mirror's table name (null when none came). */
    TableSchema announcedShape(MirrorRuntime m, long relationId) {
        TableSchema byId = relationsById.get(relationId);
        return byId != null ? byId : relations.get(m.table());
    }

    /**
     * The mirror a change of {@code table} belongs to, or null: the table's mirror must be applying changes and follow
     * the changed relation (see {@link MirrorRuntime#owns}).
     */
    MirrorRuntime route(TableRef table, long relationId) {
        MirrorRuntime m = registry.activeFor(table);
        if (m == null || !m.owns(relationId)) {
            // A table renamed since: the stream still names it as it was when the change was written.
            MirrorRuntime renamed = registry.forRelation(relationId);
            if (renamed != null && renamed.isActive()) {
                return renamed;
            }
        }
        if (m == null) {
            return null;
        }
        if (!m.owns(relationId)) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("mirror {}: skipped a change of relation {} (the mirror follows relation {})", m.name(),
                        relationId, m.relationId);
            }
            return null;
        }
        return m;
    }

    /**
     * {@link #route} for a row change or truncate of the open transaction: null also when the mirror's copy already
     * contains it (committed before the copy's point, see {@link MirrorRuntime#copyPointChosen}).
     */
    MirrorRuntime routeChange(TableRef table, long relationId) {
        MirrorRuntime m = route(table, relationId);
        if (m == null) {
            return null;
        }
        Lsn at = versions.commitLsn();
        if (at != null && m.predatesCopy(at)) {
            return null;
        }
        return m;
    }
}
