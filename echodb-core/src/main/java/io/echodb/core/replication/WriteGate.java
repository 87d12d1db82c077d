package io.echodb.core.replication;

/**
 * Whether the engine may still write (to the target and to its state), asked before every write. A leader's gate
 * closes the moment its lease can no longer be relied on, also after a stall (GC pause, SIGSTOP) that outlived it, so
 * a writer that wakes up late stops instead of landing writes after a newer leader's. Must be cheap and never block.
 */
@FunctionalInterface
public interface WriteGate {

    /** Always open: a single worker, or tests. */
    WriteGate OPEN = () -> true;

    boolean mayWrite();
}
