package io.echodb.core.replication;

import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.FencedOutException;
import io.echodb.core.port.out.TargetMissingException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The stream side's failure policy for one mirror's work: a transient failure of the source or the target is retried
 * in place (the stream cannot drop the events it holds) and shown on the mirror meanwhile; any other failure stops
 * only that mirror; a write abandoned half-way (the engine stops, or may no longer write) blocks acknowledgements
 * and ends the stream session, which the next one replays. Engine lock.
 */
final class MirrorGuard {

    private final MirrorRegistry registry;
    private final MirrorStates states;
    private final AckTracker ack;
    private final Retrier retrier;
    private final BooleanSupplier running;

    MirrorGuard(MirrorRegistry registry, MirrorStates states, AckTracker ack, Retrier retrier, BooleanSupplier running) {
        this.registry = registry;
        this.states = states;
        this.ack = ack;
        this.retrier = retrier;
        this.running = running;
    }

    /** Runs a table's work; a failure that is not transient stops only that table's mirror. */
    void guarded(MirrorRuntime m, String verb, TableRef table, Runnable work) {
        try {
            work.run();
        } catch (RetryAbandonedException e) {
            ack.block();
            throw e;
        } catch (FencedOutException e) {
            // Not the mirror's fault: this engine may no longer write. Nothing more is acknowledged; the leader
            // that took over replays from the slot.
            ack.block();
            throw new RetryAbandonedException(verb + " " + table, e);
        } catch (TargetMissingException e) {
            if (registry.contains(m) && m.isActive()) {
                states.targetMissing(m, e.getMessage());
            }
        } catch (RuntimeException e) {
            if (!running.getAsBoolean()) {
                // Failures while the engine stops (interrupted I/O) are not the mirror's fault.
                ack.block();
                throw new RetryAbandonedException(verb + " " + table, e);
            }
            if (registry.contains(m) && m.isActive()) {
                states.failed(m, "failed to " + verb + " " + table + ": " + e.getMessage(), e);
            }
        }
    }

    /** Calls the target until it answers; the mirror shows the outage meanwhile and clears it after. */
    <T> T retrySink(MirrorRuntime m, String what, Supplier<T> action) {
        T result = retrier.call(what, action, running, e -> states.transientFailure(m, what, e));
        states.recovered(m);
        return result;
    }

    /** Calls the source until it answers; the mirror shows the outage meanwhile. */
    <T> T retrySource(MirrorRuntime m, String what, Supplier<T> action) {
        return retrier.call(what, action, running, e -> states.transientFailure(m, what, e));
    }
}
