package io.echodb.runner.resilience;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.port.MirrorControl;
import io.echodb.core.port.MirrorEngineException;
import java.util.List;
import java.util.Optional;

/**
 * Any {@link MirrorControl} behind the {@code peerdb_api} circuit breaker; commands that fail with a retryable engine
 * error are retried with exponential backoff (safe: every command of the port is idempotent); reads are not retried. While the breaker is open, calls
 * fail fast with a retryable {@link MirrorEngineException} naming the breaker.
 */
public final class ResilientMirrorControl implements MirrorControl {

    private final MirrorControl delegate;
    private final Guard guard;
    private final Guard reads;

    public ResilientMirrorControl(MirrorControl delegate, Resilience resilience) {
        this(delegate, resilience, true);
    }

    /**
     * The same breaker without the retry, for callers that have their own (the HTTP API's command jobs report a
     * retryable failure to the operator instead of stacking backoff on the engine's own command timeout).
     */
    public static ResilientMirrorControl withoutRetry(MirrorControl delegate, Resilience resilience) {
        return new ResilientMirrorControl(delegate, resilience, false);
    }

    private ResilientMirrorControl(MirrorControl delegate, Resilience resilience, boolean retry) {
        this.delegate = delegate;
        this.guard = new Guard(resilience.mirrorEngine(), retry ? resilience.mirrorEngineRetry() : null,
                ResilientMirrorControl::suspended);
        // Reads answer HTTP requests and the control plane's sweeps, which retry on their own schedule: no backoff here.
        this.reads = new Guard(resilience.mirrorEngine(), null, ResilientMirrorControl::suspended);
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
    public List<MirrorStatus> list() {
        return reads.call(delegate::list);
    }

    @Override
    public Optional<MirrorStatus> status(MirrorName name) {
        return reads.call(() -> delegate.status(name));
    }
}
