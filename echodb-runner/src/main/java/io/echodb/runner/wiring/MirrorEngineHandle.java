package io.echodb.runner.wiring;

import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.replication.WriteGate;
import io.echodb.runner.http.ReadinessReport.Check;
import java.util.Optional;

/**
 * A mirror engine as the application drives it: its {@link MirrorControl}, and when it may act. Only the leader's
 * engine acts (streams and writes); a follower's engine is idle so two workers never write to the target.
 */
interface MirrorEngineHandle extends AutoCloseable {

    /** The engine's commands (undecorated; the application adds the resilience decorators). */
    MirrorControl control();

    /**
     * Leadership gained: start streaming/applying. Blocking; idempotent; throws when the engine cannot start now.
     * {@code fencingToken} is this term's lease token; {@code gate} closes when the term ends — writes made after that
     * must not take effect (I4).
     */
    void startActing(long fencingToken, WriteGate gate);

    /** Leadership lost or shutting down: stop writing at once. Blocking; idempotent; never throws. */
    void stopActing();

    /** Whether the engine is doing its job, for /ready; {@code leader} tells whether it should be acting. */
    Check health(boolean leader);

    /** For /health: why a thread the engine needs has died although it was not stopped; empty when none has. */
    default Optional<String> loopFailure() {
        return Optional.empty();
    }

    /** Replication lag in time while this engine streams; empty when it does not (a follower) or cannot tell. Never blocks. */
    default Optional<java.time.Duration> replicationLag() {
        return Optional.empty();
    }

    @Override
    void close();
}
