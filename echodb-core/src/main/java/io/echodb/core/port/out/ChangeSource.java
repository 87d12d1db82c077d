package io.echodb.core.port.out;

/**
 * Driven: everything the native engine needs from the source, implemented by one adapter because all of it shares
 * one publication and one slot. Each capability is its own port, and the engine's parts depend on the one they use.
 * Connection failures throw {@link SourceUnavailableException}.
 */
public interface ChangeSource extends ReplicationSlot, TablePublication, SnapshotSource, TableDescriber {
}
