package io.echodb.core.replication;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.in.MirrorNotFoundException;
import io.echodb.core.port.out.MirrorRecord;
import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.port.out.TableNotPublishableException;
import io.echodb.core.schema.TableSchema;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the engine's commands do, each read top to bottom; {@link NativeMirrorEngine} runs them under the engine lock
 * and translates their failures. A command changes a mirror's state only through {@link MirrorStates}.
 */
final class MirrorCommands {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorCommands.class);

    private final EngineEnv env;
    private final MirrorRegistry registry;
    private final MirrorStates states;
    private final StreamLoop loop;
    private final SlotKeeper slot;
    private final ChangeBuffers buffers;
    private final TargetSchemas schemas;

    MirrorCommands(EngineEnv env, MirrorRegistry registry, MirrorStates states, StreamLoop loop, SlotKeeper slot,
            ChangeBuffers buffers, TargetSchemas schemas) {
        this.env = env;
        this.registry = registry;
        this.states = states;
        this.loop = loop;
        this.slot = slot;
        this.buffers = buffers;
        this.schemas = schemas;
    }

    /**
     * A new mirror: the table described (and set to REPLICA IDENTITY FULL when key-less and asked to), published, its
     * target created, the record saved and the copy scheduled — from then on the stream holds the table's changes.
     * A table that cannot be mirrored gets a mirror that says why. An existing mirror of that name is returned as is.
     */
    MirrorRuntime create(MirrorSpec spec) {
        MirrorRuntime existing = registry.get(spec.name());
        if (existing != null) {
            if (!existing.spec.equals(spec)) {
                LOG.warn("mirror {} exists with {}; create with {} ignored", spec.name(), existing.spec, spec);
            }
            return existing;
        }
        refuseTaken(spec);
        TableSchema found = env.source().describe(spec.source()).orElseThrow(() -> MirrorEngineException.fatal(
                "source table " + spec.source() + " does not exist", null));
        TargetShape shape = new TargetShape(spec.settings(), env.settings().keylessTables());
        Optional<String> unsupported = Optional.empty();
        try {
            found = shape.withFullIdentityIfKeyless(env.source(), found);
        } catch (TableNotPublishableException e) {
            unsupported = Optional.of(e.getMessage());
        }
        TableSchema described = found;
        TableSchema schema = shape.schema(described);
        if (unsupported.isEmpty()) {
            unsupported = shape.problem(described);
        }
        if (unsupported.isEmpty()) {
            try {
                // Published before anything else: a table the source cannot publish safely is never copied.
                slot.ensurePrepared();
                env.source().publish(spec.source());
            } catch (TableNotPublishableException e) {
                unsupported = Optional.of(e.getMessage());
            }
        }
        if (unsupported.isPresent()) {
            return states.addStopped(spec, MirrorState.UNSUPPORTED, unsupported.get(), schema.relationId());
        }
        slot.ensurePrepared();
        if (!spec.settings().isDefault()) {
            List<String> appended = shape.appendedKeyColumns(described);
            LOG.info("mirror {}: table settings {}; target sorted by {}{}", spec.name(), spec.settings(),
                    schema.keyColumns(), appended.isEmpty() ? "" : " (source key columns " + appended
                            + " appended to order_by)");
        }
        SchemaSync sync = schemas.createFor(shape, spec.targetTable(), schema);
        // A rebuildable target (left by an earlier table of this name in another shape) is rebuilt by the copy.
        if (sync instanceof SchemaSync.Incompatible inc && !inc.rebuildable()) {
            String reason = "target table '" + spec.targetTable() + "' does not fit " + spec.source() + ": " + inc.reason();
            return states.addStopped(spec, MirrorState.FAILED, reason, schema.relationId());
        }
        return states.addCopying(spec, schema, sync instanceof SchemaSync.Created);
    }

    private void refuseTaken(MirrorSpec spec) {
        MirrorRuntime sameTable = registry.forTable(spec.source());
        if (sameTable != null) {
            throw MirrorEngineException.fatal("table " + spec.source() + " is already mirrored by " + sameTable.name(), null);
        }
        MirrorRuntime sameTarget = registry.forTarget(spec.targetTable());
        if (sameTarget != null) {
            throw MirrorEngineException.fatal("target table '" + spec.targetTable() + "' is already written by mirror "
                    + sameTarget.name(), null);
        }
    }

    /** Removes the mirror; when it was the last one, the stream ends and the slot and publication are dropped too. */
    void drop(MirrorName name, boolean dropTarget) {
        MirrorRuntime m = registry.get(name);
        if (m == null) {
            return;
        }
        MirrorState before = m.state;
        states.markDropping(m);
        unpublish(m);
        if (dropTarget) {
            env.sink().drop(m.target());
        }
        states.removeDropped(m, before);
        LOG.info("mirror {}: dropped{}", name, dropTarget ? " with its target table" : "");
        if (registry.isEmpty()) {
            loop.closeStream();
            slot.teardown();
        }
    }

    /**
     * The relation {@code m} follows leaves the publication under whatever name it has now: after a rename the old
     * name may be another table's, maybe another mirror's (a swap), and the renamed table, left in the publication,
     * would make its UPDATEs and DELETEs fail once it loses its key (I2). Kept while another mirror follows it too.
     */
    private void unpublish(MirrorRuntime m) {
        if (m.relationId != TableSchema.UNKNOWN_RELATION) {
            for (MirrorRuntime other : registry.all()) {
                if (other != m && other.relationId == m.relationId) {
                    LOG.info("mirror {}: relation {} stays published for mirror {}", m.name(), m.relationId, other.name());
                    return;
                }
            }
        }
        env.source().unpublish(m.table(), m.relationId);
    }

    /**
     * Follows a renamed table (ALTER TABLE … RENAME TO / SET SCHEMA) without copying it again: only when the table now
     * called {@code to.source()} is the relation this mirror follows, the mirror is running or paused, and the new names
     * are free. The buffered changes are written first, then the target is renamed, then the record — a crash in
     * between leaves the old record, and the rename, replayed from the DDL events, finds the target already renamed.
     * Changes the stream still names the old way reach the mirror by relation. Empty when not renamed in place.
     */
    Optional<MirrorRuntime> rename(MirrorName name, MirrorSpec to) {
        MirrorRuntime m = require(name);
        String refused = renameRefusal(m, to);
        if (refused != null) {
            LOG.info("mirror {}: not renamed to {} in place ({}); it is created again", name, to.name(), refused);
            return Optional.empty();
        }
        if (m.isActive() && !loop.flushMirror(m)) {
            LOG.info("mirror {}: not renamed to {} in place (buffered changes could not be written first)", name,
                    to.name());
            return Optional.empty();
        }
        buffers.forget(m.table());
        if (!to.targetTable().equals(m.target()) && !env.sink().renameTable(m.target(), to.targetTable())) {
            LOG.info("mirror {}: target {} could not be renamed to {}; the mirror is created again", name, m.target(),
                    to.targetTable());
            return Optional.empty();
        }
        MirrorSpec before = m.spec;
        MirrorSpec renamed = to.withSettings(before.settings());
        MirrorRecord record = m.toRecord();
        env.store().rename(name, new MirrorRecord(renamed, record.state(), record.snapshotPoint(), record.rowsSynced(),
                record.lastError(), env.clock().instant(), record.relationId(), record.copy()));
        registry.rename(m, renamed);
        m.updatedAt = env.clock().instant();
        LOG.info("mirror {} is now {}: {} renamed to {}, target {} -> {}, rows kept", name, renamed.name(),
                before.source(), renamed.source(), before.targetTable(), renamed.targetTable());
        return Optional.of(m);
    }

    /** Why {@code m} cannot follow its table to {@code to} in place, or null. */
    private String renameRefusal(MirrorRuntime m, MirrorSpec to) {
        if (m.state != MirrorState.RUNNING && m.state != MirrorState.PAUSED) {
            return "it is " + m.state;
        }
        if (m.relationId == TableSchema.UNKNOWN_RELATION) {
            return "its source relation is not known";
        }
        MirrorRuntime taken = registry.get(to.name());
        if (taken == null) {
            taken = registry.forTable(to.source());
        }
        if (taken == null) {
            taken = registry.forTarget(to.targetTable());
        }
        if (taken != null && taken != m) {
            return "mirror " + taken.name() + " has one of the new names";
        }
        Optional<TableSchema> now = env.source().describe(to.source());
        if (now.isEmpty() || now.get().relationId() != m.relationId) {
            return to.source() + " is not the table the mirror follows";
        }
        return null;
    }

    void pause(MirrorName name) {
        MirrorRuntime m = require(name);
        if (m.state != MirrorState.PAUSED && m.state != MirrorState.UNSUPPORTED) {
            states.pause(m);
        }
    }

    /**
     * Applies changes again. The shared slot moved on while the mirror was paused (or failed), so the skipped
     * changes are recovered by copying the table again. A running mirror is left alone.
     */
    void resume(MirrorName name) {
        MirrorRuntime m = require(name);
        if (!m.isActive()) {
            states.resync(m);
        }
    }

    void resync(MirrorName name) {
        states.resync(require(name));
    }

    private MirrorRuntime require(MirrorName name) {
        MirrorRuntime m = registry.get(name);
        if (m == null) {
            throw MirrorNotFoundException.of(name);
        }
        return m;
    }
}
