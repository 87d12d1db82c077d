package io.echodb.core.port.out;

import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import java.time.Duration;
import java.util.Optional;

/**
 * Driven (data flowing in): an open logical replication stream; {@code poll} blocks up to the timeout; owned by one consumer thread
 * except {@link #acknowledge}, which any thread may call. The adapter keeps the server's keepalives answered even
 * while the consumer is slow.
 */
public interface ChangeStream extends AutoCloseable {

    /** The next event, or empty when none arrived within {@code timeout}. */
    Optional<ChangeEvent> poll(Duration timeout);

    /** Everything up to {@code flushed} is durably applied; the server may discard WAL before it. Never moves backwards. */
    void acknowledge(Lsn flushed);

    @Override
    void close();
}
