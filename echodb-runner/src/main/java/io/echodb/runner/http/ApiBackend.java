package io.echodb.runner.http;

import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.in.MirrorControl;
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

    /** The engine and leadership this worker runs, and its term while it leads (for the console). */
    default WorkerDetails workerDetails() {
        return new WorkerDetails("unknown", "unknown", null);
    }

    /** Replication lag samples over the last hour, oldest first (for the console's chart). Never blocks. */
    default List<io.echodb.runner.console.LagHistory.Sample> lagHistory() {
        return List.of();
    }

    /** Recent DDL events and mirror state changes, newest first. Never blocks. */
    default List<io.echodb.runner.console.ActivityFeed.Entry> activity() {
        return List.of();
    }

    /** The latest consistency result of each table, by table name. Never blocks. */
    default List<ConsistencyReport> lastChecks() {
        return List.of();
    }

    /** The Prometheus text exposition of every meter. */
    String prometheusScrape();
}
