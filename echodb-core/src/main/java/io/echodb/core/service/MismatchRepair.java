package io.echodb.core.service;

import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.port.in.MirrorControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * I3's safety net: a RUNNING mirror whose consistency check found a definite mismatch (the sides disagree while the
 * mirror is caught up) is not exact, whatever the cause — an engine bug, a write to the target behind EchoDB's back, a
 * late write of a former leader. It is copied again, at most {@link Settings#maxPerDay} times a day per mirror, so a
 * difference a copy cannot remove never copies a large table in a loop; beyond that the mismatch is only reported.
 * Thread-safe.
 */
public final class MismatchRepair {

    private static final Logger LOG = LoggerFactory.getLogger(MismatchRepair.class);
    private static final Duration DAY = Duration.ofDays(1);

    /** {@code maxPerDay} resyncs per mirror within any 24 hours; 0 turns repairs off. */
    public record Settings(int maxPerDay) {
        public Settings {
            if (maxPerDay < 0 || maxPerDay > 100) {
                throw new IllegalArgumentException("automatic resyncs per day must be 0..100, got " + maxPerDay);
            }
        }
    }

    /** What a report led to. */
    public sealed interface Outcome {
        /** Nothing to repair: the sides match, the check could not decide, or no RUNNING mirror follows the table. */
        record NotNeeded() implements Outcome { }

        /** The mirror is being copied again. */
        record Resynced(MirrorName mirror) implements Outcome { }

        /** The mirror mismatches but had its resyncs for the day (or repairs are off): reported only. */
        record Withheld(MirrorName mirror, String why) implements Outcome { }
    }

    private final MirrorControl mirrors;
    private final Clock clock;
    private final Settings settings;
    private final Map<MirrorName, Deque<Instant>> recent = new HashMap<>();

    public MismatchRepair(MirrorControl mirrors, Clock clock, Settings settings) {
        this.mirrors = Objects.requireNonNull(mirrors, "mirrors");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** Resyncs the table's RUNNING mirror when {@code report} is a definite mismatch and the budget allows. */
    public synchronized Outcome onReport(ConsistencyReport report) {
        if (report.verdict() != ConsistencyReport.Verdict.MISMATCH) {
            return new Outcome.NotNeeded();
        }
        Optional<MirrorStatus> running = mirrors.list().stream()
                .filter(s -> s.spec().source().equals(report.table()) && s.state() == MirrorState.RUNNING)
                .findFirst();
        if (running.isEmpty()) {
            return new Outcome.NotNeeded();
        }
        MirrorName name = running.get().spec().name();
        String found = report.table() + " differs between PostgreSQL (" + report.postgresCount() + " rows) and ClickHouse ("
                + report.clickhouseCount() + " rows) while its mirror is RUNNING and caught up";
        Instant now = clock.instant();
        Deque<Instant> done = recent.computeIfAbsent(name, n -> new ArrayDeque<>());
        while (!done.isEmpty() && done.peekFirst().isBefore(now.minus(DAY))) {
            done.removeFirst();
        }
        if (done.size() >= settings.maxPerDay()) {
            String why = settings.maxPerDay() == 0 ? "automatic resyncs are off (CONSISTENCY_AUTO_RESYNCS=0)"
                    : "already resynced " + done.size() + " time(s) in the last 24 hours";
            LOG.error("mirror {}: {}; not resyncing it: {}", name, found, why);
            return new Outcome.Withheld(name, why);
        }
        LOG.error("mirror {}: {}; copying it again (automatic resync {} of at most {} a day)", name, found,
                done.size() + 1, settings.maxPerDay());
        mirrors.resync(name);
        done.addLast(now);
        return new Outcome.Resynced(name);
    }
}
