package io.echodb.core.service;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.port.out.SourceCatalog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guarantee behind auto-mirroring: desired mirrors are the catalog's tables in watched schemas that pass the
 * policy; actual mirrors are the engine's mirrors this EchoDB owns ({@link OwnedMirrors}). Missing mirrors are
 * created, orphaned ones (source table gone or now excluded) dropped — unless the engine finds that a gone table was
 * renamed to an unmirrored one (same relation), whose mirror then follows it; foreign mirrors are never touched. A mirror
 * that follows another relation than the one its table has now (the table replaced under its name, by renames or a drop
 * and a create no DDL event told of) is created again. A mirror the engine marked UNSUPPORTED is re-created once the
 * catalog shows the table has become mirrorable.
 */
public final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    /** Pairs of (gone table, unmirrored table) one sweep asks the engine about; each costs a catalog lookup. */
    private static final int MAX_RENAME_TRIES = 32;

    private final SourceCatalog catalog;
    private final MirrorControl mirrors;
    private final WatchPolicy policy;
    private final ControlPlaneMetrics metrics;
    private final MirrorOps ops;

    /** {@code dropTargetTables}: whether dropping an orphaned mirror also drops its target table. */
    public Reconciler(SourceCatalog catalog, MirrorControl mirrors, WatchPolicy policy, ControlPlaneMetrics metrics,
                      boolean dropTargetTables) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.mirrors = Objects.requireNonNull(mirrors, "mirrors");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.ops = new MirrorOps(mirrors, catalog, policy, metrics, dropTargetTables);
    }

    /** One full sweep, acting unconditionally. */
    public ReconcileResult reconcile() {
        return reconcile(() -> true);
    }

    /**
     * One full sweep. {@code mayAct} is checked before every mutating call; when it turns false the sweep stops
     * (incomplete). A retryable engine failure also stops it; a fatal one is recorded and the sweep goes on.
     * Failures to list tables or mirrors propagate.
     */
    public ReconcileResult reconcile(BooleanSupplier mayAct) {
        Map<TableRef, Long> desired = new LinkedHashMap<>();
        catalog.listRelations(policy.schemas()).forEach((t, relation) -> {
            if (policy.matches(t)) {
                desired.put(t, relation);
            }
        });
        OwnedMirrors index = OwnedMirrors.load(mirrors, policy);
        Sweep sweep = new Sweep();
        List<TableRef> unmirrored = new ArrayList<>();
        for (TableRef t : desired.keySet()) {
            if (index.of(t).isEmpty()) {
                unmirrored.add(t);
            }
        }
        int renameTries = 0;
        // Drops first: they free names and engine capacity for the creates that follow.
        for (Map.Entry<TableRef, List<MirrorStatus>> entry : index.bySource().entrySet()) {
            if (desired.containsKey(entry.getKey())) {
                continue;
            }
            TableRef gone = entry.getKey();
            if (!unmirrored.isEmpty() && renameTries < MAX_RENAME_TRIES && !ops.exists(gone)) {
                // A rename whose DDL event is not handled yet: the engine tells by relation which table it became.
                TableRef renamedTo = null;
                for (TableRef candidate : unmirrored) {
                    if (renameTries++ >= MAX_RENAME_TRIES) {
                        break;
                    }
                    boolean[] followed = {false};
                    MirrorName name = entry.getValue().get(0).name();
                    if (!sweep.attempt(mayAct, gone, name, "rename", () -> followed[0] = ops.rename(gone, candidate, index))) {
                        return finish(sweep, false);
                    }
                    if (followed[0]) {
                        renamedTo = candidate;
                        break;
                    }
                }
                if (renamedTo != null) {
                    unmirrored.remove(renamedTo);
                    sweep.unchanged++;
                    continue;
                }
            }
            for (MirrorStatus orphan : entry.getValue()) {
                if (!sweep.attempt(mayAct, entry.getKey(), orphan.name(), "drop", () -> {
                    ops.drop(orphan, index);
                    sweep.dropped.add(orphan.name());
                })) {
                    return finish(sweep, false);
                }
            }
        }
        for (Map.Entry<TableRef, Long> table : desired.entrySet()) {
            MirrorName name = policy.specFor(table.getKey()).name();
            if (!sweep.attempt(mayAct, table.getKey(), name, "create",
                    () -> ensure(table.getKey(), table.getValue(), index, sweep))) {
                return finish(sweep, false);
            }
        }
        return finish(sweep, true);
    }

    private void ensure(TableRef table, long relation, OwnedMirrors index, Sweep sweep) {
        List<MirrorStatus> before = index.of(table);
        switch (ops.ensure(table, relation, index)) {
            case CREATED -> sweep.created.add(policy.specFor(table).name());
            case REPLACED -> {
                sweep.dropped.add(before.get(0).name());
                sweep.created.add(policy.specFor(table).name());
            }
            case UNCHANGED -> sweep.unchanged++;
        }
    }

    private ReconcileResult finish(Sweep sweep, boolean complete) {
        ReconcileResult result = new ReconcileResult(sweep.created, sweep.dropped, sweep.failed, sweep.unchanged, complete);
        metrics.reconciled(result);
        if (!result.isNoop()) {
            LOG.info("reconciled: created {}, dropped {}, failed {}, unchanged {}{}", result.created(),
                    result.dropped(), result.failed().size(), result.unchanged(), complete ? "" : " (stopped early)");
        }
        return result;
    }

    private final class Sweep {
        final List<MirrorName> created = new ArrayList<>();
        final List<MirrorName> dropped = new ArrayList<>();
        final List<ReconcileResult.Failure> failed = new ArrayList<>();
        int unchanged;

        /** Runs one step; false when the sweep must stop (leadership lost or a retryable failure). */
        boolean attempt(BooleanSupplier mayAct, TableRef table, MirrorName name, String operation, Runnable step) {
            if (!mayAct.getAsBoolean()) {
                return false;
            }
            try {
                step.run();
                return true;
            } catch (RuntimeException e) {
                boolean retryable = Failures.isRetryable(e);
                String what = operation + " mirror " + name + " of " + table;
                metrics.mirrorFailed(what, e);
                failed.add(new ReconcileResult.Failure(table, name, operation, Failures.describe(e), retryable));
                if (retryable) {
                    LOG.warn("{} failed; ending this sweep early: {}", what, Failures.describe(e));
                    return false;
                }
                LOG.error("{} failed; continuing the sweep", what, e);
                return true;
            }
        }
    }
}
