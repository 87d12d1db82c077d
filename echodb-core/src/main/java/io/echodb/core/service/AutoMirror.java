package io.echodb.core.service;

import io.echodb.core.model.DdlEvent;
import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.port.out.DdlEventSource;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.port.out.SourceCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reacts to captured DDL: mirrors tables created in watched schemas, drops the mirrors of dropped tables, and lets a
 * mirror follow its renamed table (falling back to a drop plus a create where the engine cannot). Events describe the past and the catalog the present, so a table is only
 * mirrored if it still exists. Reads from the acknowledged position and acknowledges a batch only once every table in
 * it was handled, so nothing is lost across restarts or failover; replaying a batch is harmless because every step is
 * idempotent. Events are an accelerator: the {@link Reconciler} sweep is the guarantee.
 */
public final class AutoMirror {

    /**
     * @param batchSize        events read per round
     * @param readWait         how long a round waits for new events (the adapter wakes up early on a notification)
     * @param dropTargetTables whether dropping a mirror also drops its ClickHouse table (off: the data is kept)
     */
    public record Settings(int batchSize, Duration readWait, boolean dropTargetTables) {
        public Settings {
            if (batchSize < 1 || batchSize > 10_000) {
                throw InvalidValueException.of("DDL batch size", batchSize, "must be 1..10000");
            }
            Objects.requireNonNull(readWait, "readWait");
            if (readWait.isNegative()) {
                throw InvalidValueException.of("DDL read wait", readWait, "must not be negative");
            }
        }

        public static Settings defaults() {
            return new Settings(100, Duration.ofSeconds(1), false);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(AutoMirror.class);

    private final DdlEventSource events;
    private final MirrorControl mirrors;
    private final WatchPolicy policy;
    private final ControlPlaneMetrics metrics;
    private final Settings settings;
    private final MirrorOps ops;

    public AutoMirror(DdlEventSource events, SourceCatalog catalog, MirrorControl mirrors, WatchPolicy policy,
                      ControlPlaneMetrics metrics, Settings settings) {
        this.events = Objects.requireNonNull(events, "events");
        this.mirrors = Objects.requireNonNull(mirrors, "mirrors");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(catalog, "catalog");
        this.ops = new MirrorOps(mirrors, catalog, policy, metrics, settings.dropTargetTables());
    }

    public Settings settings() {
        return settings;
    }

    /** One round, acting unconditionally (single worker, or tests). */
    public DdlBatchResult runOnce() {
        return runOnce(() -> true);
    }

    /**
     * Reads one batch after the acknowledged position, applies it and acknowledges it. {@code mayAct} is checked
     * before every mutating call; when it turns false the batch is left unacknowledged for the next leader.
     * Failures to read or acknowledge propagate.
     */
    public DdlBatchResult runOnce(BooleanSupplier mayAct) {
        long from = events.acknowledgedPosition();
        List<DdlEvent> batch = events.read(from, settings.batchSize(), settings.readWait());
        if (batch.isEmpty()) {
            return DdlBatchResult.nothingNew(from);
        }
        long last = batch.get(batch.size() - 1).position();
        Tally tally = new Tally();
        OwnedMirrors index = null;
        for (Map.Entry<TableRef, DdlPlan.Step> step : DdlPlan.of(batch).entrySet()) {
            TableRef table = step.getKey();
            TableRef renamedFrom = step.getValue().from();
            if (!policy.watchesSchema(table.schema())
                    && (renamedFrom == null || !policy.watchesSchema(renamedFrom.schema()))) {
                tally.ignored++;
                continue;
            }
            if (!mayAct.getAsBoolean()) {
                return tally.result(batch.size(), from, "leadership lost");
            }
            try {
                if (index == null) {
                    index = OwnedMirrors.load(mirrors, policy);
                }
                apply(table, step.getValue(), index, tally);
            } catch (RuntimeException e) {
                String what = step.getValue().action().verb() + " mirror of " + table;
                metrics.mirrorFailed(what, e);
                if (Failures.isRetryable(e)) {
                    LOG.warn("{} failed, will retry the batch after position {}: {}", what, from, Failures.describe(e));
                    return tally.result(batch.size(), from, what + ": " + Failures.describe(e));
                }
                LOG.error("{} failed; skipping it (the next sweep tries again)", what, e);
                tally.failed++;
            }
        }
        events.acknowledge(last);
        metrics.ddlEventsHandled(batch.size(), last);
        return tally.result(batch.size(), last, null);
    }

    private void apply(TableRef table, DdlPlan.Step step, OwnedMirrors index, Tally tally) {
        switch (step.action()) {
            case RENAME -> renamed(step.from(), table, index, tally);
            // A sweep (or an earlier batch) may have mirrored the table now under the name already: the event is about
            // an older relation, and dropping that mirror would only copy the table once more.
            case DROP -> {
                if (ops.followCurrentRelation(table, index)) {
                    tally.unchanged++;
                } else {
                    tally.dropped += ops.dropAll(table, index);
                }
            }
            case RECREATE -> {
                if (!ops.followCurrentRelation(table, index)) {
                    tally.dropped += ops.dropAll(table, index);
                }
                ensure(table, index, tally);
            }
            case ENSURE -> ensure(table, index, tally);
            case RESYNC -> {
                // A mirror created now (or again, for a table replaced under its name) copies after the DDL anyway.
                OptionalLong relation = wantedRelation(table);
                MirrorOps.Ensured ensured = relation.isPresent()
                        ? ops.ensure(table, relation.getAsLong(), index) : MirrorOps.Ensured.UNCHANGED;
                if (ensured != MirrorOps.Ensured.UNCHANGED) {
                    tally.count(ensured);
                } else if (ops.resyncAll(table, index) > 0) {
                    tally.unchanged++;
                } else {
                    tally.ignored++;
                }
            }
        }
    }

    /**
     * {@code from} is now called {@code to}: its mirror follows it when the engine can do that in place; a table that
     * left the watched schemas (or now matches an exclusion) is unmirrored like a dropped one; otherwise the old
     * mirror goes and the table gets a new one under its new name, as for a drop and a create.
     */
    private void renamed(TableRef from, TableRef to, OwnedMirrors index, Tally tally) {
        boolean mirrored = !index.of(from).isEmpty();
        boolean wanted = policy.matches(to) && ops.exists(to);
        if (!mirrored) {
            ensure(to, index, tally);
            return;
        }
        if (!wanted) {
            tally.dropped += ops.dropAll(from, index);
            return;
        }
        if (ops.rename(from, to, index)) {
            tally.unchanged++;
            return;
        }
        tally.dropped += ops.dropAll(from, index);
        tally.dropped += ops.dropAll(to, index);
        ensure(to, index, tally);
    }

    private void ensure(TableRef table, OwnedMirrors index, Tally tally) {
        // An old event may name a table that a later event (maybe in the next batch) dropped or renamed.
        OptionalLong relation = wantedRelation(table);
        if (relation.isEmpty()) {
            tally.ignored++;
            return;
        }
        tally.count(ops.ensure(table, relation.getAsLong(), index));
    }

    /** The relation {@code table} has now, when the policy wants it mirrored and it exists; else empty. */
    private OptionalLong wantedRelation(TableRef table) {
        return policy.matches(table) ? ops.relationNow(table) : OptionalLong.empty();
    }

    private static final class Tally {
        int created;
        int dropped;
        int failed;
        int unchanged;
        int ignored;

        void count(MirrorOps.Ensured ensured) {
            switch (ensured) {
                case CREATED -> created++;
                case REPLACED -> {
                    dropped++;
                    created++;
                }
                case UNCHANGED -> unchanged++;
            }
        }

        DdlBatchResult result(int events, long position, String deferredReason) {
            return new DdlBatchResult(events, created, dropped, failed, unchanged, ignored, position, deferredReason);
        }
    }
}
