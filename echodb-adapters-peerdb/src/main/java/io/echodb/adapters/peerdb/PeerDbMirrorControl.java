package io.echodb.adapters.peerdb;

import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.SnapshotProgress;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.in.MirrorNotFoundException;
import io.echodb.core.time.Sleeper;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MirrorControl} on PeerDB: commands go to PeerDB's SQL interface (port 9900), reads to its flow API (port
 * 8113). One PeerDB mirror per table, from the source peer to the target peer, as the seed did
 * ({@code users_mirror}: {@code public.users:users}).
 *
 * <p>Only mirrors between the configured peers with exactly one table mapping are "ours": they are listed and
 * managed; any other mirror of PeerDB is left alone, and a name clash with one is a {@link MirrorNameTakenException}.
 * PeerDB's quirks handled here: it ignores IF EXISTS on DROP MIRROR (a missing mirror is an error) and treats IF
 * EXISTS on PAUSE/RESUME/RESYNC as "ignore every error", so existence is checked through the flow API first; it drops
 * a mirror asynchronously, so {@link #drop} waits until PeerDB has forgotten it; it pauses only RUNNING mirrors and
 * resumes only PAUSED ones and silently ignores other requests, so those are refused with
 * {@link MirrorStateConflictException}; it never drops the target table, so {@code dropTarget} is delegated to a
 * {@link TargetTableDropper}.
 */
public final class PeerDbMirrorControl implements MirrorControl {

    private static final Logger LOG = LoggerFactory.getLogger(PeerDbMirrorControl.class);
    private static final String DEFAULT_SLOT_PREFIX = "peerflow_slot_";
    private static final Set<PeerDbFlowStatus> GONE = Set.of(PeerDbFlowStatus.STATUS_TERMINATING,
            PeerDbFlowStatus.STATUS_TERMINATED);

    /** Executes one statement on PeerDB's SQL interface. */
    @FunctionalInterface
    interface StatementExecutor {
        void execute(String sql) throws SQLException;
    }

    /** What PeerDB has under a mirror name. */
    private sealed interface Lookup {
        record Absent() implements Lookup { }

        record Foreign(String description) implements Lookup { }

        record Ours(MirrorSpec spec, FlowApiClient.MirrorDetail detail) implements Lookup { }
    }

    private final PeerDbSettings settings;
    private final StatementExecutor statements;
    private final FlowApiClient flow;
    private final PeerDbFailures failures;
    private final Clock clock;
    private final Sleeper sleeper;
    private final TargetTableDropper targetDropper;
    private volatile boolean peersReady;

    /** The adapter as the runner wires it; {@code targetDropper} drops target tables on {@code drop(name, true)}. */
    public static PeerDbMirrorControl create(PeerDbSettings settings, Clock clock, TargetTableDropper targetDropper) {
        PeerDbFailures failures = new PeerDbFailures(settings.secrets());
        SqlTransport transport = new SqlTransport(settings.sql(), settings.timeouts());
        return new PeerDbMirrorControl(settings, transport::execute,
                new FlowApiClient(settings.flowApi(), settings.timeouts(), failures), failures, clock, Sleeper.SYSTEM,
                targetDropper);
    }

    PeerDbMirrorControl(PeerDbSettings settings, StatementExecutor statements, FlowApiClient flow, PeerDbFailures failures,
                        Clock clock, Sleeper sleeper, TargetTableDropper targetDropper) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.statements = Objects.requireNonNull(statements, "statements");
        this.flow = Objects.requireNonNull(flow, "flow");
        this.failures = Objects.requireNonNull(failures, "failures");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.targetDropper = Objects.requireNonNull(targetDropper, "targetDropper");
    }

    /**
     * Creates the source and target peers unless PeerDB has them (idempotent; an existing peer is kept as it is).
     * Called by the first {@link #create}; the runner may call it at start-up to fail fast.
     */
    public synchronized void ensurePeers() {
        if (peersReady) {
            return;
        }
        for (String statement : List.of(PeerDbStatements.createPostgresPeer(settings.source()),
                PeerDbStatements.createClickHousePeer(settings.target()))) {
            String summary = PeerDbStatements.summary(statement);
            try {
                statements.execute(statement);
                LOG.info("PeerDB: {}", summary);
            } catch (SQLException e) {
                if (!PeerDbFailures.isAlreadyExists(e)) {
                    throw failures.sql(summary, e);
                }
                LOG.debug("PeerDB peer already exists: {}", summary);
            }
        }
        peersReady = true;
    }

    @Override
    public MirrorStatus create(MirrorSpec spec) {
        // Built first: a name PeerDB cannot carry is refused before anything is sent.
        String statement = PeerDbStatements.createMirror(spec, settings.source().name(), settings.target().name(),
                settings.mirrorOptions());
        Lookup existing = lookup(spec.name());
        if (existing instanceof Lookup.Foreign f) {
            throw MirrorNameTakenException.of(spec, f.description());
        }
        if (existing instanceof Lookup.Ours ours) {
            if (!ours.spec().equals(spec)) {
                throw MirrorNameTakenException.of(spec, "a mirror of " + ours.spec().source() + " -> "
                        + ours.spec().targetTable());
            }
            if (!GONE.contains(ours.detail().status())) {
                return toStatus(ours.spec(), ours.detail(), slotLag().getOrDefault(slotName(spec.name()), 0L));
            }
            // Being dropped: PeerDB would answer "already exists" until it is gone.
            awaitGone(spec.name());
        }
        ensurePeers();
        execute(statement, true);
        LOG.info("PeerDB: created mirror {} for {} -> {}", spec.name(), spec.source(), spec.targetTable());
        return status(spec.name()).orElseGet(() -> new MirrorStatus(spec, MirrorState.CREATING, 0, 0,
                SnapshotProgress.notStarted(), null, clock.instant()));
    }

    @Override
    public void drop(MirrorName name, boolean dropTarget) {
        Lookup existing = lookup(name);
        if (existing instanceof Lookup.Absent) {
            return;
        }
        if (existing instanceof Lookup.Foreign f) {
            throw MirrorEngineException.fatal("refusing to drop PeerDB mirror '" + name + "': it is not managed by EchoDB ("
                    + f.description() + ")", null);
        }
        Lookup.Ours ours = (Lookup.Ours) existing;
        if (!GONE.contains(ours.detail().status())) {
            String statement = PeerDbStatements.dropMirror(name);
            try {
                statements.execute(statement);
            } catch (SQLException e) {
                // PeerDB ignores IF EXISTS here; a mirror that vanished meanwhile is what we wanted.
                if (!PeerDbFailures.isNotFound(e)) {
                    throw failures.sql(PeerDbStatements.summary(statement), e);
                }
            }
        }
        awaitGone(name);
        LOG.info("PeerDB: dropped mirror {} of {}", name, ours.spec().source());
        if (dropTarget) {
            if (targetDropper == TargetTableDropper.NONE) {
                LOG.warn("PeerDB keeps target table {} of dropped mirror {} (no target dropper configured)",
                        ours.spec().targetTable(), name);
            } else {
                targetDropper.drop(ours.spec().targetTable());
            }
        }
    }

    @Override
    public void pause(MirrorName name) {
        PeerDbFlowStatus current = ours(name).detail().status();
        switch (current) {
            case STATUS_PAUSED, STATUS_PAUSING -> {
                return;
            }
            case STATUS_RUNNING -> mutate(name, PeerDbStatements.pauseMirror(name));
            default -> throw MirrorStateConflictException.of(name, "pause", current, "STATUS_RUNNING");
        }
        LOG.info("PeerDB: pause of mirror {} requested", name);
    }

    @Override
    public void resume(MirrorName name) {
        PeerDbFlowStatus current = ours(name).detail().status();
        switch (current) {
            case STATUS_PAUSED -> mutate(name, PeerDbStatements.resumeMirror(name));
            case STATUS_RUNNING, STATUS_MODIFYING, STATUS_SETUP, STATUS_SNAPSHOT, STATUS_RESYNC, STATUS_UNKNOWN -> {
                return; // already applying changes (or about to)
            }
            case STATUS_PAUSING -> throw MirrorEngineException.retryable("mirror '" + name
                    + "' is still pausing (STATUS_PAUSING); PeerDB resumes it only once it is STATUS_PAUSED", null);
            default -> throw MirrorStateConflictException.of(name, "resume", current, "STATUS_PAUSED");
        }
        LOG.info("PeerDB: resume of mirror {} requested", name);
    }

    /** PeerDB flows name their tables in their definition: a renamed table gets a new flow (drop + create). */
    @Override
    public java.util.Optional<MirrorStatus> rename(MirrorName name, io.echodb.core.model.MirrorSpec to) {
        ours(name);
        return java.util.Optional.empty();
    }

    @Override
    public void resync(MirrorName name) {
        PeerDbFlowStatus current = ours(name).detail().status();
        if (GONE.contains(current)) {
            throw MirrorStateConflictException.of(name, "resync", current, "not being dropped");
        }
        mutate(name, PeerDbStatements.resyncMirror(name));
        LOG.info("PeerDB: resync of mirror {} requested", name);
    }

    @Override
    public List<MirrorStatus> list() {
        List<MirrorStatus> result = new ArrayList<>();
        Map<String, Long> lag = null;
        for (FlowApiClient.MirrorItem item : flow.listMirrors()) {
            if (!item.cdc() || !samePeer(item.sourceName(), settings.source().name())
                    || !samePeer(item.destinationName(), settings.target().name())) {
                continue;
            }
            Optional<MirrorName> name = mirrorName(item.name());
            if (name.isEmpty()) {
                continue;
            }
            if (lookup(name.get()) instanceof Lookup.Ours ours) {
                if (lag == null) {
                    lag = slotLag();
                }
                result.add(toStatus(ours.spec(), ours.detail(), lag.getOrDefault(slotName(name.get()), 0L)));
            }
        }
        result.sort(Comparator.comparing(MirrorStatus::name));
        return List.copyOf(result);
    }

    @Override
    public Optional<MirrorStatus> status(MirrorName name) {
        if (lookup(name) instanceof Lookup.Ours ours) {
            return Optional.of(toStatus(ours.spec(), ours.detail(), slotLag().getOrDefault(slotName(name), 0L)));
        }
        return Optional.empty();
    }

    // --- internals

    private Lookup lookup(MirrorName name) {
        Optional<FlowApiClient.MirrorDetail> found = flow.mirrorStatus(name.value());
        if (found.isEmpty()) {
            return new Lookup.Absent();
        }
        FlowApiClient.MirrorDetail d = found.get();
        if (!d.cdc()) {
            return new Lookup.Foreign("a query-replication mirror");
        }
        if (!samePeer(d.sourceName(), settings.source().name()) || !samePeer(d.destinationName(), settings.target().name())) {
            return new Lookup.Foreign("a mirror from peer '" + d.sourceName() + "' to '" + d.destinationName() + "'");
        }
        if (d.mappings().size() != 1) {
            return new Lookup.Foreign("a mirror of " + d.mappings().size() + " tables");
        }
        FlowApiClient.TableMapping m = d.mappings().get(0);
        Optional<TableRef> source = parseSource(m.source());
        if (source.isEmpty() || m.destination().isEmpty()) {
            return new Lookup.Foreign("a mirror of '" + m.source() + "' -> '" + m.destination() + "'");
        }
        return new Lookup.Ours(new MirrorSpec(name, source.get(), m.destination()), d);
    }

    private Lookup.Ours ours(MirrorName name) {
        Lookup l = lookup(name);
        if (l instanceof Lookup.Ours ours) {
            return ours;
        }
        if (l instanceof Lookup.Foreign f) {
            throw MirrorEngineException.fatal("PeerDB mirror '" + name + "' is not managed by EchoDB (" + f.description()
                    + ")", null);
        }
        throw MirrorNotFoundException.of(name);
    }

    /** Runs a PAUSE/RESUME/RESYNC statement; "not found" from PeerDB means the mirror vanished meanwhile. */
    private void mutate(MirrorName name, String statement) {
        try {
            statements.execute(statement);
        } catch (SQLException e) {
            if (PeerDbFailures.isNotFound(e)) {
                throw MirrorNotFoundException.of(name);
            }
            throw failures.sql(PeerDbStatements.summary(statement), e);
        }
    }

    private void execute(String statement, boolean alreadyExistsIsFine) {
        LOG.debug("PeerDB statement: {}", statement);
        try {
            statements.execute(statement);
        } catch (SQLException e) {
            if (!(alreadyExistsIsFine && PeerDbFailures.isAlreadyExists(e))) {
                throw failures.sql(PeerDbStatements.summary(statement), e);
            }
        }
    }

    /** Polls the flow API until PeerDB no longer knows {@code name}; a retryable failure after the drop timeout. */
    private void awaitGone(MirrorName name) {
        Instant deadline = clock.instant().plus(settings.timeouts().dropWait());
        while (flow.mirrorStatus(name.value()).isPresent()) {
            if (!clock.instant().isBefore(deadline)) {
                throw MirrorEngineException.retryable("PeerDB is still dropping mirror '" + name + "' after "
                        + settings.timeouts().dropWait().toSeconds() + " s; it keeps going, try again later", null);
            }
            try {
                sleeper.sleep(settings.timeouts().poll());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw MirrorEngineException.retryable("interrupted while waiting for PeerDB to drop mirror '" + name + "'", e);
            }
        }
    }

    private MirrorStatus toStatus(MirrorSpec spec, FlowApiClient.MirrorDetail d, long lagBytes) {
        long snapshotRows = 0;
        long partitionsDone = 0;
        long partitionsTotal = 0;
        for (FlowApiClient.Clone c : d.clones()) {
            snapshotRows += c.rowsSynced();
            partitionsDone += Math.max(0, c.partitionsCompleted());
            partitionsTotal += Math.max(0, c.partitionsTotal());
        }
        MirrorState state = d.status().state();
        boolean snapshotDone = !settings.mirrorOptions().doInitialCopy() || state == MirrorState.RUNNING
                || state == MirrorState.PAUSED || partitionsTotal > 0 && partitionsDone >= partitionsTotal;
        // PeerDB reports partitions, not row estimates: extrapolate from the partitions done so far.
        long estimated = partitionsDone > 0 && partitionsTotal > 0
                ? (long) Math.min(Long.MAX_VALUE, (double) snapshotRows * partitionsTotal / partitionsDone) : 0;
        SnapshotProgress snapshot = new SnapshotProgress(snapshotRows, Math.max(estimated, snapshotRows), 0, snapshotDone);
        return new MirrorStatus(spec, state, d.rowsSynced() + snapshotRows, lagBytes, snapshot, lastError(d.status()),
                clock.instant());
    }

    private static String lastError(PeerDbFlowStatus status) {
        return switch (status) {
            case STATUS_FAILED -> "PeerDB reports STATUS_FAILED (details in the PeerDB UI or the flow-worker logs); "
                    + "resync the mirror once the cause is fixed";
            case STATUS_COMPLETED -> "PeerDB reports STATUS_COMPLETED: the mirror no longer applies changes; resync it";
            default -> null;
        };
    }

    /** Slot lag by slot name; best effort, since lag is advisory and must not make status reads fail. */
    private Map<String, Long> slotLag() {
        try {
            return flow.slotLagBytes(settings.source().name());
        } catch (MirrorEngineException e) {
            LOG.debug("PeerDB slot lag unavailable: {}", e.getMessage());
            return Map.of();
        }
    }

    private String slotName(MirrorName name) {
        String configured = settings.mirrorOptions().replicationSlotName();
        return configured.isEmpty() ? DEFAULT_SLOT_PREFIX + name.value() : configured;
    }

    /** PeerDB stores the mapping's source as written; EchoDB writes {@code schema.table} with plain names only. */
    private static Optional<TableRef> parseSource(String identifier) {
        int dot = identifier.indexOf('.');
        if (dot <= 0 || dot == identifier.length() - 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(TableRef.of(identifier.substring(0, dot), identifier.substring(dot + 1)));
        } catch (InvalidValueException e) {
            return Optional.empty();
        }
    }

    private static Optional<MirrorName> mirrorName(String name) {
        try {
            return Optional.of(new MirrorName(name));
        } catch (InvalidValueException e) {
            return Optional.empty(); // not a name EchoDB would give: not ours
        }
    }

    /** Older PeerDB versions leave the peer names out of some answers: absent means "cannot tell", not "other". */
    private static boolean samePeer(String reported, String configured) {
        return reported == null || reported.isEmpty() || reported.equals(configured);
    }
}
