package io.echodb.runner.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.echodb.runner.chaos.SourceModel.Expect;
import io.echodb.runner.chaos.SourceModel.Table;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks after each round: first quiescence (bounded wait: every watched table has a mirror, no other mirror
 * exists, no mirror is still creating or copying, the DDL outbox is consumed and the slot has confirmed the source's
 * WAL position taken after the round), then I3 (states honest and as expected), I1 (row-for-row comparison of every
 * RUNNING mirror) and the product's own checksum checker's agreement with I1. I2 (application statements never fail)
 * is checked while the round runs.
 */
final class Invariants {

    private static final Logger LOG = LoggerFactory.getLogger(Invariants.class);

    /** A broken invariant. */
    record Violation(String invariant, String table, String message) {
        @Override
        public String toString() {
            return invariant + (table == null ? "" : " [" + table + "]") + ": " + message;
        }
    }

    /** One mirror as /mirrors reports it. */
    record Mirror(String name, String source, String target, String state, String lastError, long lagBytes) {
    }

    private final ChaosWorld world;
    private final Duration settleTimeout;
    private final boolean askChecker;
    private final ChaosStats stats;
    private boolean outboxReadable = true;

    Invariants(ChaosWorld world, Duration settleTimeout, boolean askChecker, ChaosStats stats) {
        this.world = world;
        this.settleTimeout = settleTimeout;
        this.askChecker = askChecker;
        this.stats = stats;
    }

    /**
     * Waits for quiescence after the round (source WAL position {@code walAfterRound}), then checks I1 and I3. After a
     * round with a fault the worker must recover from by itself ({@code faultRound}: ClickHouse stalled or cut,
     * PostgreSQL restarted, leader changed), a FAILED mirror of a table that should be RUNNING is not settled yet:
     * the wait goes on (up to the settle timeout) for it to return to RUNNING; if it does not, I3 reports it.
     */
    List<Violation> check(SourceModel model, String walAfterRound, boolean faultRound) {
        List<Violation> violations = new ArrayList<>();
        long start = System.nanoTime();
        Set<String> mustRecover = new TreeSet<>();
        if (faultRound) {
            for (Table t : model.watched()) {
                if (t.expect == Expect.RUNNING) {
                    mustRecover.add(t.schema + "." + t.name);
                }
            }
        }
        Observation settled = settle(walAfterRound, mustRecover, violations);
        stats.settleNanos += System.nanoTime() - start;
        if (settled == null) {
            return violations;
        }
        stats.quiescence++;
        long checksStart = System.nanoTime();
        checkStates(model, settled, violations);
        for (Mirror m : settled.mirrors.values()) {
            if (m.state.equals("running")) {
                compare(m, violations);
            }
        }
        stats.checkNanos += System.nanoTime() - checksStart;
        return violations;
    }

    /**
     * Proves that the I1 check can fail: plants a row in the ClickHouse table of a RUNNING mirror under a key the
     * generator never uses (negative), requires the comparison to report exactly that key, then hides it again with a
     * delete marker. Returns what was done, or null when no suitable mirror exists yet.
     */
    String selfTest(SourceModel model) {
        for (JsonNode n : world.mirrors().get("mirrors")) {
            Table t = model.tables.get(n.get("source_table").asText());
            if (t == null || t.kind != SourceModel.Kind.PLAIN || !n.get("state").asText().equalsIgnoreCase("running")) {
                continue;
            }
            String target = n.get("target_table").asText();
            String table = RowComparison.chIdent(world.chDb) + "." + RowComparison.chIdent(target);
            try (Connection pg = world.postgres(); Connection ch = world.clickhouse(); Statement st = ch.createStatement()) {
                st.execute("INSERT INTO " + table + " (id, _echodb_version, _echodb_is_deleted) VALUES (-4242, 1, 0)");
                RowComparison.Result planted = RowComparison.compare(pg, ch, world.chDb, t.schema, t.name, target);
                st.execute("INSERT INTO " + table + " (id, _echodb_version, _echodb_is_deleted) VALUES (-4242, 2, 1)");
                if (!planted.onlyTarget().containsKey("-4242") || planted.onlySource().size() + planted.onlyTarget().size() != 1) {
                    throw new AssertionError("the I1 comparison did not report exactly the row planted in ClickHouse table "
                            + target + " under key -4242:\n" + planted.describe(5));
                }
                return "a row planted in ClickHouse table " + target + " was reported as the only difference";
            } catch (SQLException e) {
                throw new IllegalStateException("self-test of the I1 comparison failed: " + e.getMessage(), e);
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ quiescence

    /** What the world looks like at one moment. */
    private record Observation(Set<String> watchedTables, Map<String, Mirror> mirrors, String slotFlushed,
                               boolean slotCaughtUp, boolean outboxPending) {

        /** Why this is not quiescence yet; a FAILED mirror of a table in {@code mustRecover} counts as not settled. */
        List<String> pending(String walAfterRound, Set<String> mustRecover) {
            List<String> reasons = new ArrayList<>();
            for (Mirror m : mirrors.values()) {
                if (m.state.equals("failed") && mustRecover.contains(m.source)) {
                    reasons.add("mirror " + m.name + " is FAILED after a fault (it must recover by itself): " + m.lastError);
                }
            }
            for (String t : watchedTables) {
                if (!mirrors.containsKey(t)) {
                    reasons.add("table " + t + " has no mirror");
                }
            }
            for (Mirror m : mirrors.values()) {
                if (!watchedTables.contains(m.source)) {
                    reasons.add("mirror " + m.name + " of " + m.source + " (not a watched table) still exists");
                }
                if (!Set.of("running", "unsupported", "failed").contains(m.state)) {
                    reasons.add("mirror " + m.name + " is " + m.state);
                }
            }
            boolean anyRunning = mirrors.values().stream().anyMatch(m -> m.state.equals("running"));
            if (anyRunning && !slotCaughtUp) {
                reasons.add("the slot confirmed " + slotFlushed + ", the round ended at " + walAfterRound);
            }
            if (outboxPending) {
                reasons.add("the DDL outbox has unacknowledged events");
            }
            return reasons;
        }
    }

    private Observation settle(String walAfterRound, Set<String> mustRecover, List<Violation> violations) {
        long start = System.nanoTime();
        long deadline = start + settleTimeout.toNanos();
        List<String> lastPending = List.of();
        RuntimeException lastError = null;
        Observation last = null;
        Set<String> sawFailed = new TreeSet<>();
        while (true) {
            try {
                Observation o = observe(walAfterRound);
                last = o;
                lastError = null;
                lastPending = o.pending(walAfterRound, mustRecover);
                for (Mirror m : o.mirrors.values()) {
                    if (m.state.equals("failed") && mustRecover.contains(m.source)) {
                        sawFailed.add(m.name + " (" + m.lastError + ")");
                    }
                }
                if (lastPending.isEmpty()) {
                    if (!sawFailed.isEmpty()) {
                        stats.recoveredFromFailed += sawFailed.size();
                        stats.note("after a fault, FAILED mirror(s) returned to RUNNING within "
                                + (System.nanoTime() - start) / 1_000_000_000L + " s: " + sawFailed);
                    }
                    return o;
                }
            } catch (RuntimeException e) {
                last = null;
                lastError = e;
                lastPending = List.of("cannot observe: " + e.getMessage());
            }
            if (System.nanoTime() > deadline) {
                if (last != null && last.pending(walAfterRound, Set.of()).isEmpty()) {
                    // settled but for mirrors still FAILED after the fault: I3 reports them with their reasons
                    stats.note("mirror(s) still FAILED " + settleTimeout.toSeconds() + " s after a fault: " + lastPending);
                    return last;
                }
                violations.add(new Violation("I3/quiescence", null, "not settled " + settleTimeout.toSeconds()
                        + " s after the round: " + String.join("; ", lastPending) + "\n" + world.diagnostics()));
                if (lastError != null) {
                    LOG.warn("last observation error", lastError);
                }
                return null;
            }
            pause(250);
        }
    }

    private Observation observe(String walAfterRound) {
        Set<String> watched = new TreeSet<>();
        String flushed = null;
        boolean caughtUp = false;
        boolean outboxPending = false;
        try (Connection c = world.postgres(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT n.nspname, c.relname FROM pg_catalog.pg_class c"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')"
                    + " AND NOT c.relispartition AND n.nspname = 'public' AND c.relname NOT LIKE 'temp\\_%'")) {
                while (rs.next()) {
                    watched.add(rs.getString(1) + "." + rs.getString(2));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT confirmed_flush_lsn::text, confirmed_flush_lsn >= ?::pg_lsn"
                    + " FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, walAfterRound);
                ps.setString(2, world.slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        flushed = rs.getString(1);
                        caughtUp = rs.getBoolean(2);
                    } else {
                        flushed = "(no slot)";
                    }
                }
            }
            if (outboxReadable) {
                // (partition rows are left out by the reader, and a batch of only those is never acknowledged)
                try (ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM _echodb.ddl_outbox WHERE NOT is_partition"
                        + " AND position > (SELECT coalesce(max(position), 0) FROM _echodb.ddl_cursor))")) {
                    outboxPending = rs.next() && rs.getBoolean(1);
                } catch (SQLException e) {
                    // EchoDB's own state tables are not an API: if they change, quiescence relies on the other signs
                    LOG.warn("cannot read the DDL outbox position (ignored from now on): {}", e.getMessage());
                    outboxReadable = false;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading PostgreSQL failed: " + e.getMessage(), e);
        }
        Map<String, Mirror> mirrors = new LinkedHashMap<>();
        JsonNode body = world.mirrors();
        if (body.path("_status").asInt() != 200) {
            throw new IllegalStateException("GET /mirrors answered " + body);
        }
        for (JsonNode m : body.get("mirrors")) {
            Mirror mirror = new Mirror(m.get("name").asText(), m.get("source_table").asText(), m.get("target_table").asText(),
                    m.get("state").asText().toLowerCase(Locale.ROOT), m.path("last_error").isNull() ? null
                    : m.path("last_error").asText(null), m.path("lag_bytes").asLong());
            Mirror previous = mirrors.put(mirror.source, mirror);
            if (previous != null) {
                // two mirrors of one table: report both (a key that cannot be right)
                mirrors.put(mirror.source + " (second mirror " + mirror.name + ")", mirror);
            }
        }
        return new Observation(watched, mirrors, flushed, caughtUp, outboxPending);
    }

    // ------------------------------------------------------------------ I3

    private void checkStates(SourceModel model, Observation o, List<Violation> violations) {
        Set<String> modelTables = new TreeSet<>();
        for (Table t : model.watched()) {
            modelTables.add(t.schema + "." + t.name);
        }
        if (!modelTables.equals(o.watchedTables)) {
            violations.add(new Violation("generator", null, "the generator's model " + modelTables
                    + " differs from the watched tables in PostgreSQL " + o.watchedTables + " (a bug in the test)"));
        }
        for (Mirror m : o.mirrors.values()) {
            stats.i3Mirrors++;
            switch (m.state) {
                case "running" -> { }
                case "unsupported", "failed" -> {
                    if (m.lastError == null || m.lastError.isBlank()) {
                        violations.add(new Violation("I3", m.source, "mirror " + m.name + " is " + m.state + " without a reason"));
                    }
                }
                default -> violations.add(new Violation("I3", m.source, "mirror " + m.name + " settled in state " + m.state));
            }
            Table t = model.tables.get(m.source);
            if (t == null) {
                continue;
            }
            if (t.expect == Expect.RUNNING && !m.state.equals("running")) {
                violations.add(new Violation("I3/expected-running", m.source, "mirror " + m.name + " of a table with a usable key is "
                        + m.state + ": " + m.lastError));
            } else if (t.expect == Expect.NOT_RUNNING && m.state.equals("running")) {
                violations.add(new Violation("I3/expected-not-running", m.source, "mirror " + m.name
                        + " is RUNNING although the table has no key and no replica identity"));
            } else {
                stats.i3Expectations++;
            }
        }
    }

    // ------------------------------------------------------------------ I1

    private void compare(Mirror m, List<Violation> violations) {
        String[] parts = m.source.split("\\.", 2);
        RowComparison.Result last = null;
        String error = null;
        for (int attempt = 0; attempt < 4; attempt++) {
            if (attempt > 0) {
                pause(1500);
                if (!stillRunning(m)) {
                    LOG.info("mirror {} left RUNNING while being compared; not judged this round", m.name);
                    return;
                }
            }
            try (Connection pg = world.postgres(); Connection ch = world.clickhouse()) {
                last = RowComparison.compare(pg, ch, world.chDb, parts[0], parts[1], m.target);
                error = null;
                if (last.matches()) {
                    if (attempt > 0) {
                        stats.note("mirror " + m.name + " differed right after quiescence and matched "
                                + (attempt * 1.5) + " s later");
                    }
                    break;
                }
            } catch (SQLException | RuntimeException e) {
                error = e.getMessage();
            }
        }
        if (error != null) {
            violations.add(new Violation("I1", m.source, "mirror " + m.name + " is RUNNING but cannot be compared: " + error));
            return;
        }
        if (!last.matches()) {
            violations.add(new Violation("I1", m.source, "mirror " + m.name + " is RUNNING and caught up, but ClickHouse differs:\n"
                    + last.describe(5)));
            if (askChecker) {
                JsonNode verdict = safeVerify(parts[0], parts[1]);
                LOG.info("the product's checksum check of {} says: {}", m.source, verdict);
                if (verdict != null && "match".equals(verdict.path("status").asText())) {
                    violations.add(new Violation("checker", m.source, "/verify?mode=checksum says match although the rows differ: "
                            + verdict));
                }
            }
            return;
        }
        stats.i1Tables++;
        stats.i1Rows += last.sourceRows();
        if (askChecker) {
            JsonNode verdict = safeVerify(parts[0], parts[1]);
            String status = verdict == null ? "error" : verdict.path("status").asText();
            switch (status) {
                case "match" -> stats.checkerAgreements++;
                case "mismatch" -> violations.add(new Violation("checker", m.source, "/verify?mode=checksum reports a mismatch"
                        + " although every row is equal (a false alarm): " + verdict));
                default -> {
                    stats.checkerInconclusive++;
                    LOG.info("checksum check of {} inconclusive: {}", m.source, verdict);
                }
            }
        }
    }

    private JsonNode safeVerify(String schema, String table) {
        try {
            return world.verify(schema, table);
        } catch (RuntimeException e) {
            LOG.warn("/verify of {}.{} failed: {}", schema, table, e.toString());
            return null;
        }
    }

    private boolean stillRunning(Mirror m) {
        try {
            for (JsonNode n : world.mirrors().get("mirrors")) {
                if (n.get("name").asText().equals(m.name)) {
                    return n.get("state").asText().equalsIgnoreCase("running");
                }
            }
        } catch (RuntimeException e) {
            return true;
        }
        return false;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
