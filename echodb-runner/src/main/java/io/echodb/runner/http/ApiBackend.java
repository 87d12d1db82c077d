package io.echodb.runner.http;

import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.MirrorControl;
import io.echodb.core.service.ConsistencyChecker;
import io.echodb.core.service.TableCheck;
import io.echodb.core.service.checksum.ChecksumUnavailableException;
import io.echodb.runner.resilience.Resilience;
import java.util.List;
import java.util.Map;

/** Everything the HTTP API reads or commands; the application implements it over the wired services. */
public interface ApiBackend {

    WorkerSnapshot worker();

    ReadinessReport readiness();

    /** Circuit breakers by name (the seed's {@code peerdb_api} and {@code postgres_connection}). */
    Map<String, Resilience.View> breakers();

    /** The mirror engine behind its circuit breaker, one attempt per command (the API reports failures, it does not retry). */
    MirrorControl mirrors();

    /** Whether this worker may run mutating commands now. */
    boolean isLeader();

    /**
     * Checks one table now in {@code mode} (blocking); throws {@link NotFoundException} when the table does not exist
     * in the source, {@link ChecksumUnavailableException} when checksum mode cannot check it.
     */
    ConsistencyReport verify(TableRef table, ConsistencyChecker.Mode mode);

    /** Checks every mirrored table now in {@code mode} (blocking); one table's failure is an entry, not an exception. */
    List<TableCheck> verifyAll(ConsistencyChecker.Mode mode);

    /** The native engine's replication slot and lag (never blocks: the last values read); empty with PeerDB. */
    default java.util.Optional<ReplicationSnapshot> replication() {
        return java.util.Optional.empty();
    }

    /** The Prometheus text exposition of every meter. */
    String prometheusScrape();
}
