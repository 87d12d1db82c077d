package io.echodb.core.service;

import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.out.SourceCatalog;
import io.echodb.core.schema.TableSchema;
import io.echodb.core.schema.TableSettingsCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The mutating steps shared by auto-mirror and the reconciler; each updates the index and the counters. */
final class MirrorOps {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorOps.class);

    /** What {@link #ensure} did. */
    enum Ensured {
        CREATED,
        /** The old mirror followed a table that is no longer the one under its name: dropped, and a new one created. */
        REPLACED,
        UNCHANGED
    }

    private final MirrorControl mirrors;
    private final SourceCatalog catalog;
    private final WatchPolicy policy;
    private final ControlPlaneMetrics metrics;
    private final boolean dropTargetTables;

    MirrorOps(MirrorControl mirrors, SourceCatalog catalog, WatchPolicy policy, ControlPlaneMetrics metrics,
              boolean dropTargetTables) {
        this.mirrors = mirrors;
        this.catalog = catalog;
        this.policy = policy;
        this.metrics = metrics;
        this.dropTargetTables = dropTargetTables;
    }

    /**
     * Makes sure {@code table} has a mirror. An existing mirror is left alone, except one that follows another relation
     * than the table's ({@code relationNow}, as the catalog listed or described it): the table was replaced under its
     * name (dropped and created again, or swapped by renames) in a way no DDL event told, and the mirror is dropped and
     * created again, as for a DDL event's re-create; one whose table settings changed; and one the engine marked
     * UNSUPPORTED while the catalog now shows a key (or replica identity): it is re-created so the engine looks at the
     * table again. Throws the engine's exception on failure.
     */
    Ensured ensure(TableRef table, long relationNow, OwnedMirrors index) {
        MirrorSpec spec = policy.specFor(table);
        List<MirrorStatus> existing = index.of(table);
        boolean replaced = false;
        if (!existing.isEmpty()) {
            MirrorStatus current = existing.get(0);
            String drift = layoutDrift(current.spec(), spec);
            // A listing may be older than the mirror's state: a relation that seems replaced is described again.
            long replacedBy = current.followsAnotherRelationThan(relationNow)
                    ? relationNow(table).orElse(MirrorStatus.UNKNOWN_RELATION) : relationNow;
            if (current.followsAnotherRelationThan(replacedBy)) {
                // The mirror would stay RUNNING on the old relation's rows and changes: the worst kind of wrong.
                LOG.warn("re-creating mirror {} of {}: the table was replaced under its name (the mirror follows relation"
                        + " {}, the table is now relation {})", current.name(), table, current.relationId(), replacedBy);
                drop(current, index);
                replaced = true;
            } else if (drift != null) {
                // Settings apply when a mirror is created: a changed rule is applied by copying into a fresh target.
                boolean sameTarget = current.spec().targetTable().equals(spec.targetTable());
                LOG.info("re-creating mirror {} of {}: its table settings changed ({}); {}", current.name(), table,
                        drift, sameTarget ? "its target is rebuilt" : "the old target " + current.spec().targetTable()
                                + " is kept");
                mirrors.drop(current.name(), sameTarget);
                index.remove(current.name());
            } else if (current.state() != MirrorState.UNSUPPORTED || !becameMirrorable(table, current.spec())) {
                return Ensured.UNCHANGED;
            } else {
                LOG.info("re-creating unsupported mirror {} of {} (was: {})", current.name(), table, current.lastError());
                mirrors.drop(current.name(), false);
                index.remove(current.name());
            }
        } else {
            index.named(spec.name()).ifPresent(taken -> {
                throw MirrorEngineException.fatal("mirror name '" + spec.name() + "' for " + table
                        + " is already used by a mirror of " + taken.spec().source(), null);
            });
        }
        MirrorStatus created = mirrors.create(spec);
        index.put(created);
        metrics.mirrorCreated();
        LOG.info("created mirror {} for {} -> {} ({})", spec.name(), table, spec.targetTable(), created.state());
        return replaced ? Ensured.REPLACED : Ensured.CREATED;
    }

    /**
     * How an existing mirror's layout differs from what the table settings ask for now, or null. The target name only
     * counts when a rule names it (watching a second schema does not rename every target).
     */
    private String layoutDrift(MirrorSpec current, MirrorSpec wanted) {
        if (!current.settings().equals(wanted.settings())) {
            return current.settings() + " -> " + wanted.settings();
        }
        boolean ruleNamesTarget = policy.rules().ruleFor(wanted.source()).map(r -> r.target() != null).orElse(false);
        if (ruleNamesTarget && !current.targetTable().equals(wanted.targetTable())) {
            return "target " + current.targetTable() + " -> " + wanted.targetTable();
        }
        return null;
    }

    /** The table exists in the source now (events describe the past; the catalog the present). */
    boolean exists(TableRef table) {
        return relationNow(table).isPresent();
    }

    /**
     * Whether {@code table} exists and every owned mirror of it (at least one) follows the relation it has now: a
     * mirror made for the table after it was replaced. False when a relation is unknown.
     */
    boolean followCurrentRelation(TableRef table, OwnedMirrors index) {
        List<MirrorStatus> mirrorsOfTable = index.of(table);
        if (mirrorsOfTable.isEmpty()) {
            return false;
        }
        OptionalLong now = relationNow(table);
        return now.isPresent() && now.getAsLong() != MirrorStatus.UNKNOWN_RELATION && mirrorsOfTable.stream()
                .allMatch(m -> m.relationId() == now.getAsLong());
    }

    /** The relation id {@code table} has now, as the catalog describes it; empty when the table does not exist. */
    OptionalLong relationNow(TableRef table) {
        Optional<TableSchema> schema = catalog.describe(table);
        return schema.isPresent() ? OptionalLong.of(schema.get().relationId()) : OptionalLong.empty();
    }

    /**
     * The catalog now shows a key (or replica identity) for a table the engine once refused, one that fits the
     * mirror's table settings.
     */
    private boolean becameMirrorable(TableRef table, MirrorSpec spec) {
        Optional<TableSchema> schema = catalog.describe(table);
        return schema.isPresent() && schema.get().unsupportedReason(policy.keylessTables()).isEmpty()
                && TableSettingsCheck.problem(spec.settings(), schema.get()).isEmpty();
    }

    /**
     * Copies {@code table} again in every owned mirror that is applying changes (a paused or failed mirror stays as its
     * operator left it; an unsupported one is looked at again by {@link #ensure}); returns how many.
     */
    int resyncAll(TableRef table, OwnedMirrors index) {
        int n = 0;
        for (MirrorStatus s : List.copyOf(index.of(table))) {
            if (s.state() == MirrorState.RUNNING || s.state() == MirrorState.SNAPSHOTTING) {
                mirrors.resync(s.name());
                LOG.info("resyncing mirror {} of {}: DDL changed existing rows", s.name(), table);
                n++;
            }
        }
        return n;
    }

    /**
     * Lets the owned mirror of {@code from} follow its table to the name {@code to} (keeping its settings); false when
     * the engine could not do it in place.
     */
    boolean rename(TableRef from, TableRef to, OwnedMirrors index) {
        MirrorStatus current = index.of(from).get(0);
        MirrorSpec wanted = policy.specFor(to);
        Optional<MirrorStatus> renamed = mirrors.rename(current.name(), wanted);
        if (renamed.isEmpty()) {
            return false;
        }
        index.remove(current.name());
        index.put(renamed.get());
        LOG.info("mirror {} of {} follows its table to {} as {} (target {}); nothing copied", current.name(), from, to,
                renamed.get().name(), renamed.get().spec().targetTable());
        return true;
    }

    /** Drops every owned mirror of {@code table}; returns how many. */
    int dropAll(TableRef table, OwnedMirrors index) {
        List<MirrorStatus> doomed = new ArrayList<>(index.of(table));
        for (MirrorStatus s : doomed) {
            drop(s, index);
        }
        return doomed.size();
    }

    void drop(MirrorStatus status, OwnedMirrors index) {
        mirrors.drop(status.name(), dropTargetTables);
        index.remove(status.name());
        metrics.mirrorDropped();
        LOG.info("dropped mirror {} of {}{}", status.name(), status.spec().source(),
                dropTargetTables ? " and its target table " + status.spec().targetTable() : "");
    }
}
