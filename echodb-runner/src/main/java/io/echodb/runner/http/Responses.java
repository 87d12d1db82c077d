package io.echodb.runner.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableSettings;
import io.echodb.core.model.SnapshotProgress;
import io.echodb.runner.config.Redactor;
import io.echodb.core.service.TableCheck;
import io.echodb.runner.resilience.Resilience;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The JSON shapes of the HTTP API; property names are spelled out because they are a contract (the seed's names). */
final class Responses {

    private Responses() {
    }

    /** {@code /metrics}: exactly the seed's fields. */
    record Metrics(
            @JsonProperty("running") boolean running,
            @JsonProperty("connected") boolean connected,
            @JsonProperty("worker_id") String workerId,
            @JsonProperty("is_leader") boolean isLeader,
            @JsonProperty("mirrors_created") long mirrorsCreated,
            @JsonProperty("mirrors_dropped") long mirrorsDropped,
            @JsonProperty("mirrors_failed") long mirrorsFailed,
            @JsonProperty("last_error") String lastError,
            @JsonProperty("uptime_seconds") long uptimeSeconds,
            @JsonProperty("circuit_breakers") Map<String, Breaker> circuitBreakers,
            @JsonProperty("replication") @JsonInclude(JsonInclude.Include.NON_NULL) Replication replication) {

        static Metrics of(WorkerSnapshot w, Map<String, Resilience.View> breakers, Replication replication, Redactor redactor) {
            return new Metrics(w.running(), w.connected(), w.workerId(), w.leader(), w.mirrorsCreated(),
                    w.mirrorsDropped(), w.mirrorsFailed(), redactor.redact(w.lastError()), w.uptimeSeconds(),
                    Breaker.all(breakers), replication);
        }
    }

    /** The native engine's replication slot and lag; absent with PeerDB. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Replication(
            @JsonProperty("slot") String slot,
            @JsonProperty("wal_status") String walStatus,
            @JsonProperty("retained_wal_bytes") Long retainedWalBytes,
            @JsonProperty("safe_wal_bytes") Long safeWalBytes,
            @JsonProperty("lag_seconds") Double lagSeconds) {

        static Replication of(java.util.Optional<ReplicationSnapshot> r) {
            return r.map(s -> new Replication(s.slot(), s.walStatus(), s.retainedWalBytes(), s.safeWalBytes(),
                    s.lagSeconds())).orElse(null);
        }
    }

    record Breaker(@JsonProperty("state") String state, @JsonProperty("failures") int failures) {
        /** Every breaker by name, in the order given. */
        static Map<String, Breaker> all(Map<String, Resilience.View> breakers) {
            Map<String, Breaker> b = new LinkedHashMap<>();
            breakers.forEach((name, v) -> b.put(name, new Breaker(v.state(), v.failures())));
            return b;
        }
    }

    record Health(
            @JsonProperty("status") String status,
            @JsonProperty("worker_id") String workerId,
            @JsonProperty("is_leader") boolean isLeader,
            @JsonProperty("uptime_seconds") long uptimeSeconds,
            @JsonProperty("reason") @JsonInclude(JsonInclude.Include.NON_NULL) String reason) { }

    record Ready(@JsonProperty("ready") boolean ready, @JsonProperty("checks") Map<String, ReadinessReport.Check> checks) { }

    record Snapshot(
            @JsonProperty("percent") double percent,
            @JsonProperty("rows_done") long rowsDone,
            @JsonProperty("rows_estimated") long rowsEstimated,
            @JsonProperty("rows_per_second") double rowsPerSecond,
            @JsonProperty("done") boolean done,
            @JsonProperty("eta_seconds") Long etaSeconds) {

        static Snapshot of(SnapshotProgress p) {
            return new Snapshot(Math.round(p.percent() * 10) / 10.0, p.rowsDone(), p.rowsEstimated(),
                    Math.round(p.rowsPerSecond() * 10) / 10.0, p.done(),
                    p.etaSeconds().isPresent() ? p.etaSeconds().getAsLong() : null);
        }
    }

    record Mirror(
            @JsonProperty("name") String name,
            @JsonProperty("source_table") String sourceTable,
            @JsonProperty("target_table") String targetTable,
            @JsonProperty("state") String state,
            @JsonProperty("rows_synced") long rowsSynced,
            @JsonProperty("lag_bytes") long lagBytes,
            @JsonProperty("snapshot") Snapshot snapshot,
            @JsonProperty("last_error") String lastError,
            @JsonProperty("updated_at") Instant updatedAt,
            @JsonProperty("settings") @JsonInclude(JsonInclude.Include.NON_NULL) Settings settings,
            @JsonProperty("source_relation") @JsonInclude(JsonInclude.Include.NON_NULL) Long sourceRelation) {

        static Mirror of(MirrorStatus s, Redactor redactor) {
            return new Mirror(s.name().value(), s.spec().source().qualified(), s.spec().targetTable(),
                    s.state().name().toLowerCase(Locale.ROOT), s.rowsSynced(), s.lagBytes(), Snapshot.of(s.snapshot()),
                    redactor.redact(s.lastError()), s.updatedAt(), Settings.of(s.spec().settings()),
                    s.relationId() == MirrorStatus.UNKNOWN_RELATION ? null : s.relationId());
        }
    }

    /** A mirror's table settings (ECHODB_TABLES_FILE); absent when the defaults apply. */
    record Settings(
            @JsonProperty("order_by") List<String> orderBy,
            @JsonProperty("partition_by") String partitionBy,
            @JsonProperty("exclude_columns") List<String> excludeColumns,
            @JsonProperty("deletes") String deletes,
            @JsonProperty("purge_after_seconds") @JsonInclude(JsonInclude.Include.NON_NULL) Long purgeAfterSeconds) {

        static Settings of(TableSettings s) {
            if (s.isDefault()) {
                return null;
            }
            boolean hard = s.deletes() == io.echodb.core.model.DeleteMode.HARD;
            return new Settings(s.orderBy(), s.partitionBy(), s.excludedSorted(), s.deletes().name().toLowerCase(Locale.ROOT),
                    hard ? s.purgeAfter().toSeconds() : null);
        }
    }

    record MirrorList(@JsonProperty("count") int count, @JsonProperty("mirrors") List<Mirror> mirrors,
                      @JsonProperty("replication") @JsonInclude(JsonInclude.Include.NON_NULL) Replication replication) { }

    record Command(
            @JsonProperty("mirror") String mirror,
            @JsonProperty("action") String action,
            @JsonProperty("status") Mirror status) { }

    /** The seed's verification result plus the mode, the verdict, the replication lag and differing keys. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Verification(
            @JsonProperty("table") String table,
            @JsonProperty("postgres_count") long postgresCount,
            @JsonProperty("clickhouse_count") long clickhouseCount,
            @JsonProperty("match") boolean match,
            @JsonProperty("difference") long difference,
            @JsonProperty("timestamp") Instant timestamp,
            @JsonProperty("mode") String mode,
            @JsonProperty("status") String status,
            @JsonProperty("lag_bytes") long lagBytes,
            @JsonProperty("differing_keys") List<String> differingKeys,
            @JsonProperty("differences") List<Difference> differences) {

        static Verification of(ConsistencyReport r) {
            return new Verification(r.table().qualified(), r.postgresCount(), r.clickhouseCount(), r.match(),
                    r.difference(), r.timestamp(), r.mode(), r.verdict().name().toLowerCase(Locale.ROOT), r.lagBytes(),
                    r.differingKeys(), r.differences().stream().map(d -> new Difference(d.key(), d.kind().label())).toList());
        }
    }

    /** One differing row found in checksum mode: its key and whether it is missing, extra or different. */
    record Difference(@JsonProperty("key") String key, @JsonProperty("kind") String kind) { }

    /** A mirrored table that could not be compared: not mirrorable, or counting failed. */
    record Unchecked(
            @JsonProperty("table") String table,
            @JsonProperty("mirror") String mirror,
            @JsonProperty("status") String status,
            @JsonProperty("match") boolean match,
            @JsonProperty("error") String error,
            @JsonProperty("timestamp") Instant timestamp) { }

    record VerifySummary(
            @JsonProperty("tables_checked") int tablesChecked,
            @JsonProperty("matching") long matching,
            @JsonProperty("mismatched") long mismatched,
            @JsonProperty("in_flight") long inFlight,
            @JsonProperty("not_mirrored") long notMirrored,
            @JsonProperty("failed") long failed) { }

    /** {@code /verify-all}: the seed's checker shape ({@code summary}, {@code tables}, {@code timestamp}). */
    record VerifyAll(
            @JsonProperty("summary") VerifySummary summary,
            @JsonProperty("tables") List<Object> tables,
            @JsonProperty("timestamp") Instant timestamp) {

        static VerifyAll of(List<TableCheck> checks, Instant now, Redactor redactor) {
            long matching = 0;
            long mismatched = 0;
            long inFlight = 0;
            long notMirrored = 0;
            long failed = 0;
            List<Object> tables = new ArrayList<>();
            for (TableCheck c : checks) {
                if (c instanceof TableCheck.Checked k) {
                    switch (k.report().verdict()) {
                        case MATCH -> matching++;
                        case MISMATCH -> mismatched++;
                        case IN_FLIGHT -> inFlight++;
                    }
                    tables.add(Verification.of(k.report()));
                } else if (c instanceof TableCheck.NotMirrored n) {
                    notMirrored++;
                    tables.add(new Unchecked(n.table().qualified(), n.mirror().value(), "not_mirrored", false,
                            redactor.redact(n.reason()), n.at()));
                } else if (c instanceof TableCheck.Failed f) {
                    failed++;
                    tables.add(new Unchecked(f.table().qualified(), f.mirror().value(), "failed", false,
                            redactor.redact(f.error()), f.at()));
                }
            }
            return new VerifyAll(new VerifySummary(checks.size(), matching, mismatched, inFlight, notMirrored, failed), tables, now);
        }
    }

    record Error(@JsonProperty("error") String error) { }

    /**
     * A command or check the API accepted: {@code state} is {@code running}, {@code succeeded} or {@code failed};
     * {@code http_status} and {@code result} (or {@code error}) are what the request would have answered.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record JobStatus(
            @JsonProperty("command_id") String commandId,
            @JsonProperty("kind") String kind,
            @JsonProperty("target") String target,
            @JsonProperty("state") String state,
            @JsonProperty("submitted_at") Instant submittedAt,
            @JsonProperty("finished_at") Instant finishedAt,
            @JsonProperty("http_status") Integer httpStatus,
            @JsonProperty("result") Object result,
            @JsonProperty("error") String error,
            @JsonProperty("status_url") String statusUrl) { }

    record JobList(@JsonProperty("commands") List<JobStatus> commands) { }

    /** {@code /worker}: the worker for the console. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Worker(
            @JsonProperty("worker_id") String workerId,
            @JsonProperty("is_leader") boolean isLeader,
            @JsonProperty("term") Long term,
            @JsonProperty("engine") String engine,
            @JsonProperty("leadership") String leadership,
            @JsonProperty("postgres_connected") boolean postgresConnected,
            @JsonProperty("uptime_seconds") long uptimeSeconds,
            @JsonProperty("circuit_breakers") Map<String, Breaker> circuitBreakers) {

        static Worker of(WorkerSnapshot w, WorkerDetails d, Map<String, Resilience.View> breakers) {
            return new Worker(w.workerId(), w.leader(), d.term(), d.engine(), d.leadership(), w.connected(), w.uptimeSeconds(),
                    Breaker.all(breakers));
        }
    }

    /** {@code /history}: lag samples, oldest first. */
    record History(@JsonProperty("window_seconds") long windowSeconds, @JsonProperty("samples") List<Sample> samples) { }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Sample(
            @JsonProperty("at") Instant at,
            @JsonProperty("lag_seconds") Double lagSeconds,
            @JsonProperty("lag_bytes") Long lagBytes,
            @JsonProperty("retained_wal_bytes") Long retainedWalBytes) { }

    /** {@code /activity}: recent DDL events and state changes, newest first. */
    record Activity(@JsonProperty("events") List<ActivityEntry> events) { }

    record ActivityEntry(
            @JsonProperty("at") Instant at,
            @JsonProperty("kind") String kind,
            @JsonProperty("subject") String subject,
            @JsonProperty("detail") String detail) { }

    /** {@code /consistency}: the latest result per table. */
    record LastChecks(@JsonProperty("tables") List<Verification> tables) { }
}
