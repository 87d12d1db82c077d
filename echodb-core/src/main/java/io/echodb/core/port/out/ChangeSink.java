package io.echodb.core.port.out;

/**
 * Driven: the target side of the native engine (ClickHouse), implemented by one adapter: its tables
 * ({@link TargetDefinitions}) and their rows ({@link TargetRowStore}). Transient failures throw
 * {@link SinkUnavailableException}; never returns null.
 */
public interface ChangeSink extends TargetDefinitions, TargetRowStore {
}
