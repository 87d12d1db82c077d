package io.echodb.runner.resilience;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.port.in.MirrorEngineException;
import java.util.List;
import java.util.Optional;

/**
 * Any {@link MirrorControl} behind the {@code peerdb_api} circuit breaker. Every call is tried once: the callers retry
 * on their own schedule (the control plane backs off between rounds, the HTTP API reports the failure), so no retry is
 * stacked on the engine's own command timeout. While the breaker is open, calls fail fast with a retryable
 * {@link MirrorEngineException} naming the breaker.
 */
public final class ResilientMirrorControl implements MirrorControl {

    private final MirrorControl delegate;
    private final Guard guard;

    public ResilientMirrorControl(MirrorControl delegate, Resilience resilience) {
        this.delegate = delegate;
        this.guard = new Guard(resilience.mirrorEngine(), ResilientMirrorControl::suspended);
    }

    private static MirrorEngineException suspended(RuntimeException cause) {
        return MirrorEngineException.retryable("mirror engine calls are suspended: circuit breaker '"
                + Resilience.MIRROR_ENGINE + "' is open after repeated failures", cause);
    }

    @Override
    public MirrorStatus create(MirrorSpec spec) {
        return guard.call(() -> delegate.create(spec));
    }

    @Override
    public void drop(MirrorName name, boolean dropTarget) {
        guard.run(() -> delegate.drop(name, dropTarget));
    }

    @Override
    public void pause(MirrorName name) {
        guard.run(() -> delegate.pause(name));
    }

    @Override
    public void resume(MirrorName name) {
        guard.run(() -> delegate.resume(name));
    }

    @Override
    public void resync(MirrorName name) {
        guard.run(() -> delegate.resync(name));
    }

    @Override
    public Optional<MirrorStatus> rename(MirrorName name, MirrorSpec to) {
        return guard.call(() -> delegate.rename(name, to));
    }

    @Override
    public List<MirrorStatus> list() {
        return guard.call(delegate::list);
    }

    @Override
    public Optional<MirrorStatus> status(MirrorName name) {
        return guard.call(() -> delegate.status(name));
    }
}
