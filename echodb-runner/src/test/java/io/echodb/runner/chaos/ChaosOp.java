package io.echodb.runner.chaos;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The operation families the schema-chaos generator draws from. Each family has a weight (how often it is drawn
 * relative to the others) and a default flag; {@code -Dchaos.ops=...} changes the set (see {@link #parse}).
 *
 * <p>A family that is off by default is either a known engine bug (named in its comment; the family is the regression
 * net for the fix) or a documented limitation that breaks an invariant. Turn it on with e.g.
 * {@code -Dchaos.ops=default,+recreate_while_down}.
 */
enum ChaosOp {

    // ---------------------------------------------------------------- DML

    /** INSERT of 1..n rows (literal values incl. NULLs and extreme values), upserts, re-inserts of deleted keys. */
    INSERT(true, 14),
    /** UPDATE of one row or a key range: random values, NULLs, no-op updates. */
    UPDATE(true, 14),
    /** DELETE of one row, a key list or a key range. */
    DELETE(true, 7),
    /** Multi-statement transactions over 1..3 tables (same key touched repeatedly); one in ten rolls back. */
    TX(true, 8),
    /** Primary-key changes (UPDATE ... SET id = ...), including a key swap inside one transaction. */
    PK_CHANGE(true, 5),
    /**
     * Large out-of-line (TOAST, storage EXTERNAL) text values: inserted, replaced, left untouched while other columns
     * (and keys) change, set to NULL.
     */
    TOAST(true, 6),
    /** Large statements: INSERT ... SELECT of thousands of rows, UPDATE of a whole table. */
    BULK(true, 2),
    /** TRUNCATE of one table or two at once, sometimes followed by inserts in the same transaction. */
    TRUNCATE(true, 2),
    /**
     * VACUUM FULL of a table: every row moves to another page of a new data file, and the stream sees nothing. A copy
     * resuming from the page ranges it finished before a kill must not trust them any more (issue 16).
     */
    VACUUM_FULL(true, 1),

    // ---------------------------------------------------------------- DDL

    /** ALTER TABLE ... ADD COLUMN (nullable, no default), sometimes filled right away in the same transaction. */
    ADD_COLUMN(true, 3),
    /** ALTER TABLE ... DROP COLUMN of a non-key column. */
    DROP_COLUMN(true, 2),
    /** Widening type changes the type mapping handles: int2->int4->int8, float4->float8, varchar->text, numeric growth. */
    ALTER_TYPE_WIDEN(true, 1),
    /** CREATE TABLE (plain or composite key, sometimes with a TOAST column), with rows, sometimes in one transaction. */
    CREATE_TABLE(true, 3),
    /** DROP TABLE (one or two at once). */
    DROP_TABLE(true, 2),
    /**
     * DROP TABLE + CREATE TABLE of the same name while a worker runs: same kind of key, a subset of the old columns with
     * their types plus new ones, keys starting at 1 again (so rows of the old table would collide with new ones).
     */
    RECREATE_TABLE(true, 2),
    /** ALTER TABLE ... RENAME TO a new name. */
    RENAME_TABLE(true, 1),
    /**
     * Tables without a primary key or replica identity: the workers run with KEYLESS_TABLES=full, so EchoDB sets
     * REPLICA IDENTITY FULL and mirrors them as multisets (identical rows are copied and deleted one at a time); their
     * UPDATE/DELETE must never fail.
     */
    KEYLESS(true, 1),
    /** Tables in an unwatched schema and excluded tables (temp_*): never mirrored. */
    UNWATCHED(true, 1),
    /** Quoted identifiers: table and column names with spaces, capitals, quotes and non-ASCII letters. */
    ODD_NAMES(true, 1),

    // ---------------------------------------------------------------- control and faults

    /** POST /mirrors/{name}/resync of a live mirror while the workload goes on. */
    RESYNC(true, 1),
    /**
     * Graceful stop of the worker (EchoDbApplication.close(), then its process exits: its connections close), a few
     * operations while no worker runs, then a new worker.
     */
    RESTART(true, 1),
    /** Hard kill of the worker (every connection reset mid-flight), a few operations, then a new worker. */
    KILL(true, 1),
    /**
     * ClickHouse stalled while the worker runs: every connection of the worker to ClickHouse stays open but passes no
     * byte, in either direction, for 2-6 s (new connections are accepted and stall too); then everything flows again,
     * including what was sent meanwhile. The workload goes on during the stall; the stall ends at the latest when the
     * round ends (or before a worker is stopped, killed or started).
     */
    CH_STALL(true, 1),
    /**
     * ClickHouse cut while the worker runs: every connection of the worker to ClickHouse is reset, new ones are refused
     * (reset on arrival) for 2-6 s, then accepted again. The workload goes on meanwhile; ends like {@link #CH_STALL}.
     */
    CH_CUT(true, 1),
    /**
     * The real PostgreSQL server restarted while the worker runs: fast shutdown (SIGINT, every session incl. the
     * replication connection and the leadership session ends), 0-3 s down, start on the same port and data. The worker
     * must reconnect and resume from its slot; the application reconnects too (its statements run only while the
     * server is up). Against an external server ({@code ECHODB_TEST_POSTGRES_URL}) that the test cannot restart, all of
     * the worker's PostgreSQL connections are cut instead and new ones refused for the same time plus 2 s (noted in
     * the summary).
     */
    PG_RESTART(true, 1),
    /**
     * Leader change: a second worker joins the world (same slot, same advisory-lock leadership, own proxies) as a
     * follower, then the leader is stopped gracefully or killed; the follower must take over within 60 s (a violation
     * otherwise). The application's statements must not fail meanwhile (I2) and the checks run after quiescence.
     */
    LEADER_CHANGE(true, 1),

    // ---------------------------------------------------------------- regression nets for bugs fixed on 2026-12-02
    // (each failed the invariants earlier today; on by default since the fix named)

    /**
     * A graceful stop in the same JVM (embedding), then a check that the replication slot is free within 15 s. Found
     * by this test: a close() while the engine supervisor was still starting the engine left the replication stream
     * open ("closed without a final flush: the stream thread did not stop in time"; the next worker got "replication
     * slot ... is active for PID ..." for as long as the JVM lived). Fixed by ade6226.
     */
    RESTART_IN_PROCESS(true, 1),
    /**
     * Deletes, truncates and key changes of a table while its copy runs (new, renamed or re-created table, resync,
     * rewriting DDL) and the stream lags. Found by this test (seeds 10237133, 230826187...): a change committed before
     * the copy point was written during the copy, its later DELETE / TRUNCATE was skipped once the mirror was RUNNING
     * ("older than the copy"), so ClickHouse kept rows PostgreSQL had deleted. Fixed by 5b483ec (routing by relation
     * only). With this family off the generator would not delete, truncate or re-key rows of a table whose copy may
     * run in the current round; on, it also provokes the race (random stream lag, a change, a delete, a resync; half of
     * the time replayed by a new worker).
     */
    COPY_RACE(true, 2),
    /** DROP + re-CREATE of a same-named table while no worker runs (old rows reappeared). Fixed by 93bad98. */
    RECREATE_WHILE_DOWN(true, 1),
    /**
     * A primary-key change of a row whose TOAST value is unchanged while the table's copy runs (the unchanged value
     * could not be resolved from the target). Fixed by 0440987.
     */
    PK_CHANGE_TOAST_DURING_COPY(true, 1),
    /** ALTER COLUMN ... TYPE ... USING (values rewritten without row changes; must resync). Fixed by 9fac0c9. */
    ALTER_TYPE_USING(true, 1),
    /**
     * ADD COLUMN ... NOT NULL DEFAULT x and volatile defaults (existing rows filled without row changes; must resync).
     * Fixed by 9fac0c9.
     */
    ADD_COLUMN_DEFAULT(true, 1),
    /**
     * REPLICA IDENTITY FULL tables without a primary key: with a unique index on NOT NULL columns they are mirrored
     * (keyed by it), without one UNSUPPORTED with a reason (439fa19; before, every column was the key, identical rows
     * merged).
     */
    IDENTITY_FULL(true, 1),
    /**
     * Dropping a table's primary key (its UPDATE/DELETE must keep working: the table leaves the publication inside the
     * DDL transaction, 9fac0c9; the mirror is then not RUNNING) and adding one to a keyless table (mirrored again).
     */
    KEY_CHANGES(true, 1),
    /**
     * A widening ALTER COLUMN ... TYPE (int4 -> int8) of a column added later as NOT NULL (ADD COLUMN ... NOT NULL
     * DEFAULT), which is Nullable in ClickHouse (documented). Found by this test (seeds 844106574, 255300148 at
     * 850f865): the sink refused "Nullable(Int32), which cannot safely become Int64" and the mirror ended FAILED.
     * Passes since f779059 (a resync rebuilds a target that cannot take the new type). While off, widening leaves such
     * columns alone.
     */
    WIDEN_ADDED_NOT_NULL(true, 1),

    // ---------------------------------------------------------------- found later; on by default once fixed
    // (013cd7b: a copy's point is the mirror's floor; ca02ff2: rebuildable targets, column renames/re-adds resync)

    /**
     * LIST-partitioned tables mirrored through their root: DML (rows moving between partitions), DETACH, ATTACH.
     * Found by this test (seed 921713643, at 850f865): a row inserted into a partition shortly before that partition is
     * DETACHed stays in the root's ClickHouse table. The detach resyncs the root (9fac0c9); the insert, committed
     * before the copy point, is streamed into the target after the resync emptied it (changes older than the copy are
     * applied by design since 5b483ec, superseded by the copy's rows), but the copy does not have the row (it left with
     * the partition, without a row change), so nothing removes it: a ghost row. Still at 595216c (seed 346064673).
     * Fixed by 013cd7b (changes committed before a copy's point are skipped, held until it is known).
     */
    PARTITIONS(true, 2),
    /**
     * TRUNCATE of one partition of a partitioned table (creates partitioned tables itself when none exists). Known
     * engine bug, reproduced by this test at ade6226 and 850f865 (seed 36497141): the partition's rows stayed in the
     * root's ClickHouse table; f779059 resyncs the root from a leaf AFTER TRUNCATE trigger, but at df05b33 a row
     * re-keyed just before the partition TRUNCATE is still streamed into the root's target after the resync emptied it
     * (seed 435906444: ghost row 180) — the root cause of PARTITIONS and TRUNCATE_THEN_REWRITE too.
     * Fixed by 013cd7b.
     */
    PARTITION_TRUNCATE(true, 1),
    /**
     * Found by this test: DROP + re-CREATE of a same-named table while a worker runs, with another key (id vs.
     * region+id) or a column of the old name with an incompatible type. The new table's mirror ends FAILED ("target
     * table does not fit ... resync the mirror to rebuild the table"): the dropped table's ClickHouse table is kept
     * (DROP_TARGET_ON_TABLE_DROP=false) and reused instead of being replaced for the new generation, so a newly created
     * table is not mirrored automatically. Still at 595216c (seed 527285416).
     * Fixed by ca02ff2 (a new mirror rebuilds a target of its own kind that cannot take the new shape).
     */
    RECREATE_NEW_SHAPE(true, 2),
    /**
     * Found by this test: two keys swapped inside one transaction (k1 -> tmp, k2 -> k1, tmp -> k2) on a table whose
     * moved rows have unchanged out-of-line TOAST values, when the transaction is replayed after a restart or kill
     * (e.g. a graceful stop whose final flush was skipped). The replay resolves the unchanged value of k2 -> k1 by
     * reading key k2 from ClickHouse, which already holds the transaction's later row for k2 (the other row's values),
     * and writes it with the same version as the first application: the TOAST value is lost or swapped (seed
     * 252534738: big NULL in ClickHouse for the row that has one in PostgreSQL). While off, key swaps leave rows with
     * big values alone; on, it also provokes it (swap, pause, stop or kill).
     * Fixed by 013cd7b (a stored row at or above the change's version never lends its values: ChangeSink.latestRows).
     */
    TOAST_KEY_SWAP(true, 2),
    /**
     * Found by this test (seed 231924215, short mode at 850f865): TRUNCATE (+ inserts), then DDL that changes values
     * without row changes (ADD COLUMN ... DEFAULT, ALTER TYPE ... USING) while the stream lags (a kill: the next worker
     * replays from the slot). The DDL resyncs the mirror; the copy is exact, but the TRUNCATE older than the copy point
     * reaches the stream after the copy (changes are not filtered by the copy point since 5b483ec) and empties the
     * target, and the older inserts are written again without the values the DDL gave them: ClickHouse shows NULL in
     * the defaulted column for every row. While off, such DDL leaves tables truncated in the same round alone; on, it
     * also provokes it (truncate + insert, ADD COLUMN ... DEFAULT, kill).
     * Fixed by 013cd7b.
     */
    TRUNCATE_THEN_REWRITE(true, 2),
    /**
     * Found by this test: DROP COLUMN followed by ADD COLUMN of the same name (same or another type). ClickHouse kept
     * the dropped column with its data (drop-column policy "keep") and the re-added column reuses it, so the old values
     * reappear where PostgreSQL has NULL (seed 823603077: timestamp c3 dropped, timestamptz c3 added: every old row
     * shows its old c3 in ClickHouse).
     * Fixed by ca02ff2 (the event triggers report a column added under a dropped name as a rewrite: resync).
     */
    READD_COLUMN(true, 1),
    /**
     * Leader change by a stalled leader: as {@link #LEADER_CHANGE}, but the leader is stalled (both its proxies paused:
     * its connections stay open and silent, what it sends is held back; PostgreSQL ends its leadership session by
     * idle_session_timeout, the new leader terminates its walsender); once the follower leads (or after 60 s) the
     * former leader is let go on and stays as a follower until the round ends. Half of the time the stall follows a
     * resync (the leader is emptying or copying a target). Found by this test, two engine bugs:
     * <ul>
     *   <li>seed 10, round 10 ({@code -Dchaos.ops=tx,resync,pg_restart,leader_stall -Dchaos.steps=20}): a write of
     *   the stalled leader that passed its write gate before the stall reaches ClickHouse after the new leader's copy.
     *   Leader w18 resynced t5 (13:13:34.202 "RUNNING -> SNAPSHOTTING"; SnapshotTask truncates the target in
     *   {@code writeIfActive}) and was stalled at 34.726; w19 led at 37.791 and copied all 347 rows (39.122-39.403);
     *   w18 was let go on at 39.449, its held-back TRUNCATE emptied t5 (44.516 "check after initial copy of public.t5:
     *   IN_FLIGHT (PostgreSQL 347, ClickHouse 0)"); t5 stayed RUNNING and caught up with 0 rows in ClickHouse (I1;
     *   the product's checksum check says mismatch too). ClickHouse writes were not fenced by the token. Fixed by
     *   the fenced sink (ClickHouse refuses row writes and truncates of an older token; FencingEngineTest
     *   {@code writesAStalledOldLeaderSentBeforeItsStallTakeNoEffectInClickHouse}); seed 10 replayed clean.</li>
     *   <li>seed 20261202, round 4 (default families at the time, the stall then part of LEADER_CHANGE): the follower
     *   w7 acquired the advisory lock 3 s after the stall (12:45:50.746 "chaos-worker-7 is now the leader") but its
     *   engine start blocked until the stalled w6 was let go on 60 s later (12:46:49.394 resumed, 12:46:49.486
     *   "native mirror engine started", i.e. store.loadAll returned): a stalled former leader holds up the failover
     *   indefinitely. Likely cause, not confirmed: loadAll's fence claim (row lock) or ensureTable's ALTER TABLE
     *   (ACCESS EXCLUSIVE) waits for an open transaction of the stalled leader, which PostgreSQL never ends (no
     *   idle_in_transaction_session_timeout on the store's sessions). Rare (once in about 100 stalls); the takeover
     *   violation now prints pg_stat_activity with the blocking pids. Fixed by f6cd0fa (fenced writes run with
     *   lock and idle-in-transaction timeouts; a new leader ends a session idle in a transaction holding the fence).</li>
     * </ul>
     */
    LEADER_STALL(true, 1),
    /**
     * Was a documented limitation that contradicted I1: a renamed column is seen as drop + add, so rows that do not change
     * keep NULL in the new ClickHouse column while PostgreSQL has values. (The product's checksum check reports such a
     * table as matching: it leaves out source columns the target does not have yet.)
     * Fixed by ca02ff2 (RENAME COLUMN is reported as a rewrite: resync; issue 11 makes it a rename in ClickHouse).
     */
    RENAME_COLUMN(true, 1);

    final boolean byDefault;
    final int weight;

    ChaosOp(boolean byDefault, int weight) {
        this.byDefault = byDefault;
        this.weight = weight;
    }

    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Set<ChaosOp> defaults() {
        EnumSet<ChaosOp> set = EnumSet.noneOf(ChaosOp.class);
        for (ChaosOp op : values()) {
            if (op.byDefault) {
                set.add(op);
            }
        }
        return set;
    }

    /**
     * Parses {@code -Dchaos.ops}: a comma list of family names (case-insensitive), where {@code default} and {@code all}
     * stand for those sets, {@code +name} adds and {@code -name} removes. A list that starts with {@code +} or
     * {@code -} modifies the default set. Examples: {@code insert,update,restart}; {@code all,-kill};
     * {@code +partitions}; {@code default,-recreate_table,+recreate_while_down}.
     */
    static Set<ChaosOp> parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return defaults();
        }
        EnumSet<ChaosOp> set = EnumSet.noneOf(ChaosOp.class);
        String[] parts = spec.split(",");
        String first = parts[0].trim();
        if (first.startsWith("+") || first.startsWith("-")) {
            set.addAll(defaults());
        }
        for (String raw : parts) {
            String p = raw.trim().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            boolean remove = p.startsWith("-");
            String name = p.startsWith("+") || p.startsWith("-") ? p.substring(1) : p;
            Set<ChaosOp> named;
            if (name.equals("default")) {
                named = defaults();
            } else if (name.equals("all")) {
                named = EnumSet.allOf(ChaosOp.class);
            } else {
                named = EnumSet.of(byId(name));
            }
            if (remove) {
                set.removeAll(named);
            } else {
                set.addAll(named);
            }
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException("chaos.ops='" + spec + "' enables no operation family");
        }
        return set;
    }

    static ChaosOp byId(String id) {
        for (ChaosOp op : values()) {
            if (op.id().equals(id)) {
                return op;
            }
        }
        StringBuilder known = new StringBuilder();
        for (ChaosOp op : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(op.id());
        }
        throw new IllegalArgumentException("unknown chaos operation family '" + id + "'; known: default, all, " + known);
    }
}
