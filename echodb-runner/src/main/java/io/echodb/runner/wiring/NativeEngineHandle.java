package io.echodb.runner.wiring;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.SnapshotProgress;
import io.echodb.core.port.out.CheckpointStore;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.out.MirrorRecord;
import io.echodb.core.replication.NativeMirrorEngine;
import io.echodb.core.replication.WriteGate;
import io.echodb.runner.http.ReadinessReport.Check;
import java.util.List;
import java.util.Optional;

/**
 * The native engine under leadership. A {@link NativeMirrorEngine} is single-use (closed for good), so each term
 * builds a fresh one: started when leadership is gained, closed when it is lost, which ends its replication stream
 * before another worker can take over. While idle (a follower), reads come straight from the checkpoint store the
 * leader writes, and commands are refused.
 */
final class NativeEngineHandle implements MirrorEngineHandle {

    private final Factory factory;
    private final CheckpointStore store;
    private final MirrorControl control = new Delegating();
    private volatile NativeMirrorEngine current;

    /** Builds one term's engine: its writes fenced by the term's token and gated by its leadership. */
    @FunctionalInterface
    interface Factory {
        NativeMirrorEngine build(long fencingToken, WriteGate gate);
    }

    NativeEngineHandle(Factory factory, CheckpointStore store) {
        this.factory = factory;
        this.store = store;
    }

    @Override
    public MirrorControl control() {
        return control;
    }

    @Override
    public synchronized void startActing(long fencingToken, WriteGate gate) {
        if (current != null) {
            return;
        }
        NativeMirrorEngine engine = factory.build(fencingToken, gate);
        try {
            engine.start();
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        current = engine;
    }

    @Override
    public synchronized void stopActing() {
        NativeMirrorEngine engine = current;
        current = null;
        if (engine != null) {
            engine.close();
        }
    }

    @Override
    public Optional<String> loopFailure() {
        NativeMirrorEngine engine = current;
        return engine == null ? Optional.empty() : engine.streamLoopFailure();
    }

    @Override
    public Optional<java.time.Duration> replicationLag() {
        NativeMirrorEngine engine = current;
        return engine == null ? Optional.empty() : Optional.of(engine.replicationLag());
    }

    @Override
    public Check health(boolean leader) {
        NativeMirrorEngine engine = current;
        if (engine != null) {
            return engine.streamLoopFailure().map(Check::failed).orElseGet(() -> Check.ok("native engine streaming"));
        }
        return leader ? Check.failed("native engine not running") : Check.ok("native engine idle (follower)");
    }

    @Override
    public void close() {
        stopActing();
    }

    /** Routes to the running engine, or to the store's records while idle. */
    private final class Delegating implements MirrorControl {

        private NativeMirrorEngine acting() {
            NativeMirrorEngine e = current;
            if (e == null) {
                throw MirrorEngineException.retryable("the native engine is not running on this worker (not the leader,"
                        + " or still starting)", null);
            }
            return e;
        }

        @Override
        public MirrorStatus create(MirrorSpec spec) {
            return acting().create(spec);
        }

        @Override
        public void drop(MirrorName name, boolean dropTarget) {
            acting().drop(name, dropTarget);
        }

        @Override
        public void pause(MirrorName name) {
            acting().pause(name);
        }

        @Override
        public void resume(MirrorName name) {
            acting().resume(name);
        }

        @Override
        public void resync(MirrorName name) {
            acting().resync(name);
        }

        @Override
        public Optional<MirrorStatus> rename(MirrorName name, MirrorSpec to) {
            return acting().rename(name, to);
        }

        @Override
        public List<MirrorStatus> list() {
            NativeMirrorEngine e = current;
            return e != null ? e.list() : store.loadAll().stream().map(NativeEngineHandle::fromRecord).toList();
        }

        @Override
        public Optional<MirrorStatus> status(MirrorName name) {
            NativeMirrorEngine e = current;
            if (e != null) {
                return e.status(name);
            }
            return store.loadAll().stream().filter(r -> r.spec().name().equals(name)).findFirst().map(NativeEngineHandle::fromRecord);
        }
    }

    /** A follower's view of a mirror: what the leader last stored (no live lag or copy progress). */
    static MirrorStatus fromRecord(MirrorRecord r) {
        boolean copied = r.snapshotPoint() != null;
        SnapshotProgress progress = new SnapshotProgress(copied ? Math.max(0, r.rowsSynced()) : 0, 0, 0, copied);
        return new MirrorStatus(r.spec(), r.state(), Math.max(0, r.rowsSynced()), 0, progress, r.lastError(), r.updatedAt(),
                r.relationId());
    }
}
