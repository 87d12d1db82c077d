package io.echodb.core.testing;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.SnapshotProgress;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.in.MirrorNotFoundException;
import io.echodb.core.port.out.SourceCatalog;
import io.echodb.core.schema.TableSchema;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * In-memory {@link MirrorControl}, a stand-in for a mirror engine. With a {@link SourceCatalog} it behaves like the
 * native engine: creating a mirror of a missing table fails (fatal), a table without a key gets an UNSUPPORTED
 * mirror with the reason, and a mirror follows the relation its table had when it was created or copied again. Tests can script failures, set states, lag and snapshot progress, and read the log of
 * mutating calls ({@code "create x_mirror"}, {@code "drop x_mirror"}, ...).
 */
public final class InMemoryMirrorControl implements MirrorControl {

    private final Clock clock;
    private final SourceCatalog catalog;
    private final TreeMap<MirrorName, MirrorStatus> mirrors = new TreeMap<>();
    private final List<String> operations = new ArrayList<>();
    private final List<String> droppedTargets = new ArrayList<>();
    private final Map<TableRef, Deque<RuntimeException>> createFailures = new HashMap<>();
    private RuntimeException outage;
    private MirrorState initialState = MirrorState.RUNNING;
    private java.util.function.BiPredicate<TableRef, TableRef> renamesInPlace = (from, to) -> false;

    /** An engine that can mirror any table. */
    public InMemoryMirrorControl(Clock clock) {
        this(clock, null);
    }

    /** An engine that checks tables against {@code catalog} (null: any table). */
    public InMemoryMirrorControl(Clock clock, SourceCatalog catalog) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.catalog = catalog;
    }

    /** Whether {@link #rename} follows tables in place (like the native engine) or refuses (the default). */
    public synchronized void renamesInPlace(boolean enabled) {
        renamesInPlace = (from, to) -> enabled;
    }

    /** {@link #rename} follows a table from one name to another only where {@code sameRelation} says it is one table. */
    public synchronized void renamesInPlace(java.util.function.BiPredicate<TableRef, TableRef> sameRelation) {
        renamesInPlace = sameRelation;
    }

    /** New mirrors start in {@code state} (RUNNING by default, with the snapshot done). */
    public synchronized void startMirrorsAs(MirrorState state) {
        initialState = Objects.requireNonNull(state, "state");
    }

    /** The next {@code create} of a mirror of {@code source} throws {@code failure} (queue one per call). */
    public synchronized void failNextCreate(TableRef source, RuntimeException failure) {
        createFailures.computeIfAbsent(source, k -> new ArrayDeque<>()).add(failure);
    }

    /** Every call throws {@code failure} until {@link #heal()}: the engine is down. */
    public synchronized void failWith(RuntimeException failure) {
        outage = Objects.requireNonNull(failure, "failure");
    }

    public synchronized void heal() {
        outage = null;
    }

    public synchronized void setState(MirrorName name, MirrorState state) {
        update(name, s -> new MirrorStatus(s.spec(), state, s.rowsSynced(), s.lagBytes(),
                state == MirrorState.RUNNING ? done(s.snapshot()) : s.snapshot(), s.lastError(), clock.instant(),
                s.relationId()));
    }

    public synchronized void setLag(MirrorName name, long lagBytes) {
        update(name, s -> new MirrorStatus(s.spec(), s.state(), s.rowsSynced(), lagBytes, s.snapshot(), s.lastError(),
                clock.instant(), s.relationId()));
    }

    public synchronized void setSnapshot(MirrorName name, SnapshotProgress progress) {
        update(name, s -> new MirrorStatus(s.spec(), s.state(), s.rowsSynced(), s.lagBytes(), progress, s.lastError(),
                clock.instant(), s.relationId()));
    }

    /** Every mirror's relation becomes unknown, as with an engine that does not track relations. */
    public synchronized void forgetRelations() {
        mirrors.replaceAll((name, s) -> new MirrorStatus(s.spec(), s.state(), s.rowsSynced(), s.lagBytes(),
                s.snapshot(), s.lastError(), s.updatedAt()));
    }

    /** Mutating calls so far, e.g. {@code "create users_mirror"}, {@code "drop users_mirror target"}. */
    public synchronized List<String> operations() {
        return List.copyOf(operations);
    }

    public synchronized void clearOperations() {
        operations.clear();
    }

    /** Target tables dropped together with their mirror. */
    public synchronized List<String> droppedTargets() {
        return List.copyOf(droppedTargets);
    }

    public synchronized List<MirrorName> names() {
        return List.copyOf(mirrors.keySet());
    }

    @Override
    public synchronized MirrorStatus create(MirrorSpec spec) {
        checkAvailable();
        Deque<RuntimeException> failures = createFailures.get(spec.source());
        if (failures != null && !failures.isEmpty()) {
            throw failures.poll();
        }
        MirrorStatus existing = mirrors.get(spec.name());
        if (existing != null) {
            return existing;
        }
        MirrorStatus status = newStatus(spec);
        operations.add("create " + spec.name());
        mirrors.put(spec.name(), status);
        return status;
    }

    @Override
    public synchronized void drop(MirrorName name, boolean dropTarget) {
        checkAvailable();
        MirrorStatus removed = mirrors.remove(name);
        if (removed != null) {
            operations.add("drop " + name + (dropTarget ? " target" : ""));
            if (dropTarget) {
                droppedTargets.add(removed.spec().targetTable());
            }
        }
    }

    @Override
    public synchronized Optional<MirrorStatus> rename(MirrorName name, MirrorSpec to) {
        checkAvailable();
        MirrorStatus current = mirrors.get(name);
        if (current == null) {
            throw io.echodb.core.port.in.MirrorNotFoundException.of(name);
        }
        if (!renamesInPlace.test(current.spec().source(), to.source())
                || (!name.equals(to.name()) && mirrors.containsKey(to.name()))) {
            return Optional.empty();
        }
        mirrors.remove(name);
        MirrorStatus renamed = new MirrorStatus(to.withSettings(current.spec().settings()), current.state(),
                current.rowsSynced(), current.lagBytes(), current.snapshot(), current.lastError(), clock.instant(),
                current.relationId());
        mirrors.put(to.name(), renamed);
        operations.add("rename " + name + " -> " + to.name());
        return Optional.of(renamed);
    }

    @Override
    public synchronized void pause(MirrorName name) {
        checkAvailable();
        update(name, s -> withState(s, MirrorState.PAUSED));
        operations.add("pause " + name);
    }

    @Override
    public synchronized void resume(MirrorName name) {
        checkAvailable();
        update(name, s -> s.state() == MirrorState.PAUSED ? withState(s, MirrorState.RUNNING) : s);
        operations.add("resume " + name);
    }

    @Override
    public synchronized void resync(MirrorName name) {
        checkAvailable();
        update(name, s -> newStatus(s.spec()));
        operations.add("resync " + name);
    }

    @Override
    public synchronized List<MirrorStatus> list() {
        checkAvailable();
        return List.copyOf(mirrors.values());
    }

    @Override
    public synchronized Optional<MirrorStatus> status(MirrorName name) {
        checkAvailable();
        return Optional.ofNullable(mirrors.get(name));
    }

    private MirrorStatus newStatus(MirrorSpec spec) {
        long relation = MirrorStatus.UNKNOWN_RELATION;
        if (catalog != null) {
            Optional<TableSchema> schema = catalog.describe(spec.source());
            if (schema.isEmpty()) {
                throw MirrorEngineException.fatal("source table " + spec.source() + " does not exist", null);
            }
            Optional<String> unsupported = schema.get().unsupportedReason();
            if (unsupported.isPresent()) {
                return new MirrorStatus(spec, MirrorState.UNSUPPORTED, 0, 0, SnapshotProgress.notStarted(),
                        unsupported.get(), clock.instant(), schema.get().relationId());
            }
            relation = schema.get().relationId();
        }
        SnapshotProgress snapshot = initialState == MirrorState.RUNNING
                ? new SnapshotProgress(0, 0, 0, true) : SnapshotProgress.notStarted();
        return new MirrorStatus(spec, initialState, 0, 0, snapshot, null, clock.instant(), relation);
    }

    private MirrorStatus withState(MirrorStatus s, MirrorState state) {
        return new MirrorStatus(s.spec(), state, s.rowsSynced(), s.lagBytes(), s.snapshot(), s.lastError(), clock.instant(),
                s.relationId());
    }

    private static SnapshotProgress done(SnapshotProgress p) {
        return new SnapshotProgress(p.rowsDone(), p.rowsEstimated(), p.rowsPerSecond(), true);
    }

    private void update(MirrorName name, UnaryOperator<MirrorStatus> change) {
        MirrorStatus s = mirrors.get(name);
        if (s == null) {
            throw MirrorNotFoundException.of(name);
        }
        mirrors.put(name, change.apply(s));
    }

    private void checkAvailable() {
        if (outage != null) {
            throw outage;
        }
    }
}
