package io.echodb.runner.chaos;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.TableRef;
import io.echodb.runner.chaos.SourceModel.Col;
import io.echodb.runner.chaos.SourceModel.Expect;
import io.echodb.runner.chaos.SourceModel.Kind;
import io.echodb.runner.chaos.SourceModel.Table;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The seeded generator: a deterministic sequence of {@link Step}s for a seed and a set of operation families. Every
 * statement it generates is valid for the {@link SourceModel} it keeps (fresh keys, existing columns), so any failure
 * of an application statement is a finding, not noise. It never looks at the databases, so a seed replays the same
 * statements (only the timing against the asynchronous engine differs).
 */
final class Generator {

    static final int MIN_TABLES = 3;
    static final int MAX_TABLES = 8;
    private static final String[] ODD_TABLE = {"Odd Name %d", "quote\"d %d", "ÜnïCödé_%d", "MixedCase%d", "dot.and;semi %d"};
    private static final String[] ODD_COLUMN = {"Select", "a b", "col\"q", "ümlaut", "CamelCol", "x-y"};

    final SourceModel m = new SourceModel();
    private final Random r;
    private final Set<ChaosOp> ops;
    private final int bulkMax;
    private int round;
    private boolean workerUp = true;
    private int downFor;
    private final List<ChaosOp> weighted = new ArrayList<>();

    Generator(long seed, Set<ChaosOp> ops, int bulkMax) {
        this.r = new Random(seed);
        this.ops = Set.copyOf(ops);
        this.bulkMax = bulkMax;
        for (ChaosOp op : ChaosOp.values()) { // in declaration order, so that a seed draws the same sequence
            for (int i = 0; ops.contains(op) && i < op.weight; i++) {
                weighted.add(op);
            }
        }
    }

    // ================================================================ sequencing

    /** The tables that exist before the first worker starts (the worker copies them at start). */
    List<Step> setup(int tables) {
        round = 1;
        List<Step> steps = new ArrayList<>();
        steps.add(Step.autocommit(ChaosOp.CREATE_TABLE, Set.of(), List.of(ChaosType.CREATE_MOOD, "CREATE SCHEMA other")));
        for (int i = 0; i < tables; i++) {
            Kind kind = i % 3 == 1 ? Kind.COMPOSITE : Kind.PLAIN;
            boolean big = ops.contains(ChaosOp.TOAST) && i % 2 == 0;
            steps.add(createTable(ChaosOp.CREATE_TABLE, newTable("public", freshName(), kind, big), 20 + r.nextInt(400), false));
        }
        return steps;
    }

    void beginRound(int n) {
        round = n;
    }

    /** The steps of the next operation. */
    List<Step> next() {
        if (!workerUp && --downFor <= 0) {
            workerUp = true;
            return List.of(Step.worker(ChaosOp.RESTART, Step.Kind.START_WORKER));
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            ChaosOp op = weighted.get(r.nextInt(weighted.size()));
            List<Step> steps = generate(op);
            if (steps != null && !steps.isEmpty()) {
                return steps;
            }
        }
        Table t = pick(x -> true);
        return t == null ? List.of() : List.of(Step.tx(ChaosOp.INSERT, Set.of(key(t)), insert(t)));
    }

    /** Steps that end a round: a worker must run for the checks. */
    List<Step> endRound() {
        if (!workerUp) {
            workerUp = true;
            return List.of(Step.worker(ChaosOp.RESTART, Step.Kind.START_WORKER));
        }
        return List.of();
    }

    private List<Step> generate(ChaosOp op) {
        switch (op) {
            case INSERT, UPDATE, DELETE, PK_CHANGE, TOAST, BULK -> {
                Table t = pick(x -> applicable(op, x));
                if (t == null) {
                    return null;
                }
                List<String> sql = dml(op, t);
                return sql == null ? null : List.of(Step.tx(op, Set.of(key(t)), sql));
            }
            case TX -> {
                return transaction();
            }
            case TRUNCATE -> {
                return truncate();
            }
            case VACUUM_FULL -> {
                Table t = pick(x -> true);
                return t == null ? null
                        : List.of(Step.autocommit(op, Set.of(key(t)), List.of("VACUUM FULL " + t.qualified())));
            }
            case ADD_COLUMN -> {
                return addColumn(op, false);
            }
            case DROP_COLUMN -> {
                Table t = pick(x -> x.columnDdlAllowed() && !x.cols.isEmpty());
                if (t == null) {
                    return null;
                }
                Col c = t.cols.remove(r.nextInt(t.cols.size()));
                return List.of(Step.autocommit(op, Set.of(key(t)), List.of("ALTER TABLE " + t.qualified() + " DROP COLUMN " + q(c.name))));
            }
            case ALTER_TYPE_WIDEN, WIDEN_ADDED_NOT_NULL -> {
                Predicate<Col> widenable = c -> c.type.widened() != null && (op == ChaosOp.WIDEN_ADDED_NOT_NULL
                        ? c.addedNotNull : !c.addedNotNull || ops.contains(ChaosOp.WIDEN_ADDED_NOT_NULL));
                Table t = pick(x -> x.columnDdlAllowed() && x.cols.stream().anyMatch(widenable));
                if (t == null) {
                    return null;
                }
                List<Col> candidates = t.cols.stream().filter(widenable).toList();
                Col c = candidates.get(r.nextInt(candidates.size()));
                c.type = c.type.widened();
                t.copyRound = round; // a rewriting type change makes the engine copy the table again
                return List.of(Step.autocommit(op, Set.of(key(t)), List.of("ALTER TABLE " + t.qualified() + " ALTER COLUMN "
                        + q(c.name) + " TYPE " + c.type.sql)));
            }
            case CREATE_TABLE -> {
                if (m.watched().size() >= MAX_TABLES) {
                    return null;
                }
                int kindPick = r.nextInt(4);
                Kind kind = kindPick == 1 ? Kind.COMPOSITE : Kind.PLAIN;
                boolean big = kindPick == 2 && ops.contains(ChaosOp.TOAST);
                int rows = r.nextInt(10) == 0 ? Math.min(bulkMax, 2000 + r.nextInt(3000)) : r.nextInt(300);
                return List.of(createTable(op, newTable("public", freshName(), kind, big), rows, r.nextInt(3) == 0));
            }
            case DROP_TABLE -> {
                return dropTable(op);
            }
            case RECREATE_TABLE -> {
                return workerUp ? recreate(op, true) : null;
            }
            case RECREATE_NEW_SHAPE -> {
                return workerUp ? recreate(op, false) : null;
            }
            case RECREATE_WHILE_DOWN -> {
                List<Step> steps = new ArrayList<>();
                boolean wasUp = workerUp;
                if (wasUp) {
                    steps.add(Step.worker(op, Step.Kind.STOP_WORKER));
                }
                List<Step> recreate = recreate(op, true);
                if (recreate == null) {
                    return null;
                }
                steps.addAll(recreate);
                if (wasUp) {
                    steps.add(Step.worker(op, Step.Kind.START_WORKER));
                }
                return steps;
            }
            case RENAME_TABLE -> {
                Predicate<Table> renamable = x -> x.kind != Kind.PARTITIONED && x.kind != Kind.DETACHED;
                int variant = r.nextInt(3);
                if (variant == 0) {
                    List<Step> swap = swap(op, renamable);
                    if (swap != null) {
                        return swap;
                    }
                }
                Table t = pick(renamable);
                if (t == null) {
                    return null;
                }
                String old = t.qualified();
                String before = key(t);
                m.rename(t, freshName());
                t.copyRound = round;
                List<String> sql = new ArrayList<>(List.of("ALTER TABLE " + old + " RENAME TO " + q(t.name)));
                // The mirror follows the table in place: changes in the renaming transaction must arrive under the new name.
                List<String> after = variant == 1 && t.kind != Kind.KEYLESS ? dml(ChaosOp.INSERT, t) : null;
                if (after != null) {
                    sql.addAll(after);
                    return List.of(Step.tx(op, Set.of(before, key(t)), sql));
                }
                return List.of(Step.autocommit(op, Set.of(before, key(t)), sql));
            }
            case KEYLESS -> {
                if (m.watched().size() >= MAX_TABLES) {
                    return null;
                }
                // KEYLESS_TABLES=full: EchoDB sets REPLICA IDENTITY FULL and mirrors the table as a multiset
                Table t = newTable("public", freshName(), Kind.KEYLESS, false);
                return List.of(createTable(op, t, r.nextInt(50), r.nextBoolean()));
            }
            case UNWATCHED -> {
                List<Table> unwatched = m.all().stream().filter(x -> !x.watched()).toList();
                if (unwatched.size() >= 4 || (!unwatched.isEmpty() && r.nextInt(3) == 0)) {
                    Table t = unwatched.get(r.nextInt(unwatched.size()));
                    m.remove(t);
                    return List.of(Step.autocommit(op, Set.of(key(t)), List.of("DROP TABLE " + t.qualified())));
                }
                Table t = r.nextBoolean() ? newTable("other", freshName(), Kind.PLAIN, false)
                        : newTable("public", "temp_" + freshName(), Kind.PLAIN, false);
                return List.of(createTable(op, t, r.nextInt(30), false));
            }
            case ODD_NAMES -> {
                if (r.nextBoolean()) {
                    return addColumn(op, true);
                }
                if (m.watched().size() >= MAX_TABLES) {
                    return null;
                }
                String name = String.format(ODD_TABLE[r.nextInt(ODD_TABLE.length)], ++m.nameCounter);
                Table t = newTable("public", name, r.nextBoolean() ? Kind.PLAIN : Kind.COMPOSITE, false);
                t.cols.clear();
                for (int i = 0; i < 1 + r.nextInt(3); i++) {
                    t.cols.add(new Col(oddColumn(t), ChaosType.PICKABLE[r.nextInt(ChaosType.PICKABLE.length)], false));
                }
                return List.of(createTable(op, t, r.nextInt(40), false));
            }
            case RESYNC -> {
                if (!workerUp) {
                    return null;
                }
                Table t = pick(x -> x.watched() && x.expect == Expect.RUNNING);
                if (t == null) {
                    return null;
                }
                t.copyRound = round;
                return List.of(Step.resync(op, key(t), mirrorName(t)));
            }
            case RESTART, KILL, RESTART_IN_PROCESS -> {
                if (!workerUp) {
                    return null;
                }
                workerUp = false;
                downFor = 1 + r.nextInt(6);
                // (copies in progress start again on the next worker: their tables are marked already)
                return List.of(Step.worker(op, op == ChaosOp.KILL ? Step.Kind.KILL_WORKER : Step.Kind.STOP_WORKER));
            }
            case CH_STALL, CH_CUT -> {
                // (the worker keeps running: the generator's idea of it does not change)
                return workerUp ? List.of(Step.fault(op, Long.toString(2000 + r.nextInt(4001)))) : null;
            }
            case PG_RESTART -> {
                return workerUp ? List.of(Step.fault(op, Long.toString(r.nextInt(3001)))) : null;
            }
            case LEADER_CHANGE -> {
                return workerUp ? List.of(Step.fault(op, r.nextBoolean() ? "stop" : "kill")) : null;
            }
            case LEADER_STALL -> {
                if (!workerUp) {
                    return null;
                }
                // half of the time while the leader changes mirror states (a resync: SNAPSHOTTING, copy, RUNNING)
                Table t = r.nextBoolean() ? pick(x -> x.watched() && x.expect == Expect.RUNNING) : null;
                if (t == null) {
                    return List.of(Step.fault(op, "stall"));
                }
                t.copyRound = round;
                return List.of(Step.resync(op, key(t), mirrorName(t)), Step.pause(op, r.nextInt(400)), Step.fault(op, "stall"));
            }
            case PK_CHANGE_TOAST_DURING_COPY -> {
                return pkChangeToastDuringCopy(op);
            }
            case COPY_RACE -> {
                return copyRace(op);
            }
            case TRUNCATE_THEN_REWRITE -> {
                Table t = pick(x -> x.columnDdlAllowed() && x.watched() && x.expect == Expect.RUNNING && !copyRace(x));
                if (t == null || !workerUp) {
                    return null;
                }
                List<String> refill = new ArrayList<>();
                clear(t);
                refill.add("TRUNCATE " + t.qualified());
                refill.addAll(insert(t));
                String name = "d" + (++t.colCounter);
                Col added = new Col(name, ChaosType.BOOL, false);
                t.cols.add(added);
                t.firstType.putIfAbsent(name, ChaosType.BOOL);
                t.copyRound = round;
                workerUp = false;
                downFor = 1;
                return List.of(Step.tx(op, Set.of(key(t)), refill),
                        Step.autocommit(op, Set.of(key(t)), List.of("ALTER TABLE " + t.qualified() + " ADD COLUMN " + q(name)
                                + " boolean DEFAULT true")),
                        Step.pause(op, 50 + r.nextInt(400)), Step.worker(op, Step.Kind.KILL_WORKER));
            }
            case TOAST_KEY_SWAP -> {
                // a swap of keys of rows with unchanged TOAST values, then a graceful restart or a kill (replay)
                Table t = pick(x -> x.big && x.bigIds.size() >= 2 && !copyRace(x));
                if (t == null || !workerUp) {
                    return null;
                }
                List<Long> bigRows = t.bigIds.stream().filter(id -> !toastPkGuard(t, id)).toList();
                if (bigRows.size() < 2) {
                    return null;
                }
                long k1 = bigRows.get(r.nextInt(bigRows.size()));
                long k2 = t.ids.higher(k1) != null ? t.ids.higher(k1) : t.ids.lower(k1);
                long tmp = allocId(t);
                List<String> sql = List.of(moveKey(t, k1, tmp), moveKey(t, k2, k1), moveKey(t, tmp, k2));
                swapBig(t, k1, k2);
                workerUp = false;
                downFor = 1 + r.nextInt(3);
                // the bug needs the swap written to ClickHouse but not yet acknowledged when the worker goes
                return List.of(Step.tx(op, Set.of(key(t)), sql), Step.pause(op, 100 + r.nextInt(1400)),
                        Step.worker(op, r.nextBoolean() ? Step.Kind.KILL_WORKER : Step.Kind.STOP_WORKER));
            }
            case ALTER_TYPE_USING -> {
                return alterTypeUsing(op);
            }
            case ADD_COLUMN_DEFAULT -> {
                Table t = pick(x -> x.columnDdlAllowed() && !truncateThenRewrite(x));
                if (t == null) {
                    return null;
                }
                String name = "d" + (++t.colCounter);
                String[][] variants = {{"integer NOT NULL DEFAULT 42", "INTEGER"}, {"text DEFAULT 'dflt'", "TEXT"},
                        {"timestamptz NOT NULL DEFAULT clock_timestamp()", "TIMESTAMPTZ"}, {"boolean DEFAULT true", "BOOL"}};
                String[] v = variants[r.nextInt(variants.length)];
                Col added = new Col(name, ChaosType.valueOf(v[1]), v[0].contains("NOT NULL"));
                added.addedNotNull = added.notNull;
                t.cols.add(added);
                t.firstType.putIfAbsent(name, ChaosType.valueOf(v[1]));
                t.copyRound = round;
                return List.of(Step.autocommit(op, Set.of(key(t)), List.of("ALTER TABLE " + t.qualified() + " ADD COLUMN "
                        + q(name) + " " + v[0])));
            }
            case IDENTITY_FULL -> {
                if (m.watched().size() >= MAX_TABLES) {
                    return null;
                }
                Table t = newTable("public", freshName(), Kind.FULL, false);
                if (r.nextBoolean()) {
                    t.uniqueIndex = "uq_" + (++m.nameCounter);
                } // else no key at all: a multiset (KEYLESS_TABLES=full)
                return List.of(createTable(op, t, r.nextInt(200), true));
            }
            case PARTITIONS -> {
                return partitions(op);
            }
            case PARTITION_TRUNCATE -> {
                Table p = pick(x -> x.kind == Kind.PARTITIONED && !x.residues.isEmpty() && !copyRace(x));
                if (p == null) {
                    // a partitioned table of its own, so that this family is tested without DETACH / ATTACH
                    if (m.watched().size() >= MAX_TABLES - 1) {
                        return null;
                    }
                    return List.of(createTable(op, newTable("public", freshName(), Kind.PARTITIONED, false),
                            30 + r.nextInt(300), true));
                }
                List<Integer> attached = new ArrayList<>(p.residues);
                int residue = attached.get(r.nextInt(attached.size()));
                p.ids.removeIf(id -> id % 3 == residue);
                p.bigIds.removeIf(id -> id % 3 == residue);
                p.truncatedRound = round;
                return List.of(Step.autocommit(op, Set.of(key(p)), List.of("TRUNCATE " + SourceModel.ident(p.schema) + "."
                        + q(p.partition(residue)))));
            }
            case RENAME_COLUMN -> {
                Table t = pick(x -> x.columnDdlAllowed() && !x.cols.isEmpty());
                if (t == null) {
                    return null;
                }
                int i = r.nextInt(t.cols.size());
                Col c = t.cols.get(i);
                Col renamed = new Col(c.name + "_r" + (++t.colCounter), c.type, c.notNull);
                t.cols.set(i, renamed);
                return List.of(Step.autocommit(op, Set.of(key(t)), List.of("ALTER TABLE " + t.qualified() + " RENAME COLUMN "
                        + q(c.name) + " TO " + q(renamed.name))));
            }
            case READD_COLUMN -> {
                Table t = pick(x -> x.columnDdlAllowed() && !x.cols.isEmpty());
                if (t == null) {
                    return null;
                }
                int i = r.nextInt(t.cols.size());
                Col c = t.cols.remove(i);
                ChaosType type = r.nextBoolean() ? c.type : ChaosType.PICKABLE[r.nextInt(ChaosType.PICKABLE.length)];
                Col again = new Col(c.name, type, false);
                t.cols.add(again);
                t.firstType.putIfAbsent(again.name, type);
                t.expect = t.expect == Expect.RUNNING ? Expect.ANY : t.expect;
                List<String> sql = new ArrayList<>(List.of("ALTER TABLE " + t.qualified() + " DROP COLUMN " + q(c.name),
                        "ALTER TABLE " + t.qualified() + " ADD COLUMN " + q(again.name) + " " + type.sql));
                if (!t.ids.isEmpty() && r.nextBoolean()) {
                    sql.add("UPDATE " + t.qualified() + " SET " + q(again.name) + " = " + type.literal(r) + " WHERE id <= "
                            + someId(t));
                }
                return List.of(r.nextBoolean() ? Step.tx(op, Set.of(key(t)), sql) : Step.autocommit(op, Set.of(key(t)), sql));
            }
            case KEY_CHANGES -> {
                Table keyed = pick(x -> x.kind == Kind.PLAIN && x.watched());
                Table keyless = pick(x -> x.kind == Kind.KEYLESS && x.watched());
                if (keyless != null && (keyed == null || r.nextBoolean())) {
                    keyless.kind = Kind.PLAIN;
                    keyless.pkName = "pk_" + (++m.nameCounter);
                    keyless.expect = Expect.RUNNING;
                    keyless.copyRound = round;
                    // duplicates (see duplicateRows) must go before id can be the key
                    return List.of(Step.tx(op, Set.of(key(keyless)), List.of("DELETE FROM " + keyless.qualified()
                            + " a USING " + keyless.qualified() + " b WHERE a.id = b.id AND a.ctid > b.ctid",
                            "ALTER TABLE " + keyless.qualified() + " ADD CONSTRAINT " + q(keyless.pkName) + " PRIMARY KEY (id)")));
                }
                if (keyed == null) {
                    return null;
                }
                keyed.kind = Kind.KEYLESS; // mirrored on as a multiset: EchoDB sets REPLICA IDENTITY FULL, copies again
                keyed.copyRound = round;
                return List.of(Step.autocommit(op, Set.of(key(keyed)), List.of("ALTER TABLE " + keyed.qualified()
                        + " DROP CONSTRAINT " + q(keyed.pkName))));
            }
            default -> throw new IllegalStateException("no generator for " + op);
        }
    }

    // ================================================================ DML

    private boolean applicable(ChaosOp op, Table t) {
        return switch (op) {
            case INSERT, BULK -> true;
            case UPDATE -> !t.ids.isEmpty();
            case DELETE, PK_CHANGE -> !t.ids.isEmpty() && !copyRace(t);
            case TOAST -> t.big;
            default -> false;
        };
    }

    /**
     * Whether deleting, truncating or re-keying rows of {@code t} now could hit the known routing race of
     * {@link ChaosOp#COPY_RACE} while that family is off: its copy may run in this round.
     */
    private boolean copyRace(Table t) {
        return !ops.contains(ChaosOp.COPY_RACE) && t.copyRound >= round;
    }

    /** Statements of one DML operation on {@code t} (model updated), or null when it does not apply. */
    private List<String> dml(ChaosOp op, Table t) {
        return switch (op) {
            case INSERT -> insert(t);
            case UPDATE -> update(t);
            case DELETE -> delete(t);
            case PK_CHANGE -> pkChange(t);
            case TOAST -> toast(t);
            case BULK -> bulk(t);
            default -> null;
        };
    }

    private List<String> insert(Table t) {
        if (t.hasKey() && !t.ids.isEmpty() && r.nextInt(6) == 0) {
            // upsert of an existing key: the row changes, the key set does not
            long id = someId(t);
            String set = t.cols.isEmpty() ? null : q(t.cols.get(r.nextInt(t.cols.size())).name);
            return List.of(insertSql(t, List.of(id), false) + " ON CONFLICT (" + keyList(t) + ") DO "
                    + (set == null ? "NOTHING" : "UPDATE SET " + set + " = EXCLUDED." + set));
        }
        if (multiset(t) && !t.ids.isEmpty() && r.nextInt(4) == 0) {
            return duplicateRows(t);
        }
        int n = r.nextInt(5) == 0 ? 2 + r.nextInt(20) : 1 + r.nextInt(3);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Long again = t.deleted.pollFirst();
            ids.add(again != null && t.residueAllowed(again) && !t.ids.contains(again) && !ids.contains(again) ? again : allocId(t));
        }
        String sql = insertSql(t, ids, ops.contains(ChaosOp.TOAST) && r.nextInt(3) == 0);
        return List.of(sql);
    }

    /** INSERT of rows with the given (new) keys; adds them to the model. */
    private String insertSql(Table t, List<Long> ids, boolean bigValues) {
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(t.qualified()).append(" (").append(columnList(t)).append(") VALUES ");
        for (int i = 0; i < ids.size(); i++) {
            long id = ids.get(i);
            sql.append(i == 0 ? "" : ", ").append('(').append(id);
            if (t.composite()) {
                sql.append(", ").append(region(id));
            }
            for (Col c : t.cols) {
                sql.append(", ").append(value(c));
            }
            if (t.big) {
                boolean isBig = bigValues && r.nextBoolean();
                sql.append(", ").append(isBig ? bigValue() : r.nextBoolean() ? "NULL" : "'small'");
                if (isBig) {
                    t.bigIds.add(id);
                } else {
                    t.bigIds.remove(id);
                }
            }
            sql.append(')');
            t.ids.add(id);
        }
        return sql.toString();
    }

    private List<String> update(Table t) {
        long id = someId(t);
        int variant = r.nextInt(10);
        if (t.cols.isEmpty() || variant == 0) {
            String c = t.cols.isEmpty() ? "id" : q(t.cols.get(r.nextInt(t.cols.size())).name);
            return List.of("UPDATE " + t.qualified() + " SET " + c + " = " + c + " WHERE id = " + id); // changes nothing
        }
        if (variant <= 2) {
            long a = someId(t);
            long b = someId(t);
            Col c = t.cols.get(r.nextInt(t.cols.size()));
            return List.of("UPDATE " + t.qualified() + " SET " + q(c.name) + " = " + value(c) + " WHERE id BETWEEN "
                    + Math.min(a, b) + " AND " + Math.max(a, b));
        }
        if (variant == 3) {
            List<String> sets = t.cols.stream().filter(c -> !c.notNull).map(c -> q(c.name) + " = NULL").toList();
            if (!sets.isEmpty()) {
                return List.of("UPDATE " + t.qualified() + " SET " + String.join(", ", sets) + " WHERE id = " + id);
            }
        }
        List<String> sets = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (int i = 0; i < 1 + r.nextInt(3); i++) {
            Col c = t.cols.get(r.nextInt(t.cols.size()));
            if (used.add(c.name)) {
                sets.add(q(c.name) + " = " + value(c));
            }
        }
        return List.of("UPDATE " + t.qualified() + " SET " + String.join(", ", sets) + " WHERE id = " + id);
    }

    /** A table without any key: KEYLESS_TABLES=full mirrors it as a multiset, where identical rows may repeat. */
    private static boolean multiset(Table t) {
        return t.kind == Kind.KEYLESS || (t.kind == Kind.FULL && t.uniqueIndex == null);
    }

    /** Copies of existing rows (identical in every column), sometimes twice over in one statement. */
    private List<String> duplicateRows(Table t) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1 + r.nextInt(3); i++) {
            ids.add(Long.toString(someId(t)));
        }
        String copy = "INSERT INTO " + t.qualified() + " SELECT * FROM " + t.qualified() + " WHERE id IN ("
                + String.join(", ", ids) + ")";
        return r.nextBoolean() ? List.of(copy) : List.of(copy, copy);
    }

    /** Deletes one row of an id: one of its identical copies (rows of an id are updated together, so they stay equal). */
    private List<String> deleteOneCopy(Table t) {
        long id = someId(t);
        return List.of("DELETE FROM " + t.qualified() + " WHERE ctid = (SELECT min(ctid) FROM " + t.qualified()
                + " WHERE id = " + id + ")");
    }

    private List<String> delete(Table t) {
        if (multiset(t) && r.nextInt(3) == 0) {
            return deleteOneCopy(t);
        }
        int variant = r.nextInt(6);
        List<Long> gone = new ArrayList<>();
        String where;
        if (variant == 0 && t.ids.size() > 3) {
            long a = someId(t);
            Long b = t.ids.higher(a);
            b = b == null ? a : t.ids.higher(b) == null ? b : t.ids.higher(b);
            gone.addAll(t.ids.subSet(a, true, b, true));
            where = "id BETWEEN " + a + " AND " + b;
        } else if (variant == 1) {
            Set<Long> some = new TreeSet<>();
            for (int i = 0; i < 2 + r.nextInt(3); i++) {
                some.add(someId(t));
            }
            gone.addAll(some);
            where = "id IN (" + String.join(", ", some.stream().map(String::valueOf).toList()) + ")";
        } else {
            long id = someId(t);
            gone.add(id);
            where = "id = " + id;
        }
        for (long id : gone) {
            t.ids.remove(id);
            t.bigIds.remove(id);
            t.deleted.addLast(id);
            while (t.deleted.size() > 20) {
                t.deleted.pollFirst();
            }
        }
        return List.of("DELETE FROM " + t.qualified() + " WHERE " + where);
    }

    /**
     * Whether changing the key of row {@code id} could hit the known bug "primary-key change of a row with unchanged
     * TOAST during a copy" while its family is off: rows with a big value of a table whose copy may run this round.
     */
    private boolean toastPkGuard(Table t, long id) {
        return !ops.contains(ChaosOp.PK_CHANGE_TOAST_DURING_COPY) && t.big && t.bigIds.contains(id) && t.copyRound >= round;
    }

    private List<String> pkChange(Table t) {
        List<Long> candidates = t.ids.stream().filter(id -> !toastPkGuard(t, id)).toList();
        if (candidates.isEmpty()) {
            return null;
        }
        int variant = r.nextInt(5);
        if (variant == 0 && candidates.size() >= 2) {
            // swap two keys inside one transaction, through a temporary third key
            long k1 = candidates.get(r.nextInt(candidates.size()));
            long k2 = candidates.get(r.nextInt(candidates.size()));
            boolean toastGuard = !ops.contains(ChaosOp.TOAST_KEY_SWAP) && (t.bigIds.contains(k1) || t.bigIds.contains(k2));
            if (k1 != k2 && !toastGuard) {
                long tmp = allocId(t);
                List<String> sql = List.of(moveKey(t, k1, tmp), moveKey(t, k2, k1), moveKey(t, tmp, k2));
                swapBig(t, k1, k2);
                return sql;
            }
        }
        if (variant == 1 && t.ids.size() >= 2 && (t.kind != Kind.PARTITIONED && t.kind != Kind.DETACHED)) {
            long a = candidates.get(r.nextInt(candidates.size()));
            Long b = t.ids.higher(a);
            if (b != null && !toastPkGuard(t, b)) {
                long shift = t.nextId - a + 10;
                List<Long> moved = new ArrayList<>(t.ids.subSet(a, true, b, true));
                if (moved.stream().noneMatch(id -> toastPkGuard(t, id))) {
                    for (long id : moved) {
                        t.ids.remove(id);
                        boolean wasBig = t.bigIds.remove(id);
                        t.ids.add(id + shift);
                        if (wasBig) {
                            t.bigIds.add(id + shift);
                        }
                    }
                    t.nextId = b + shift + 1;
                    return List.of("UPDATE " + t.qualified() + " SET id = id + " + shift
                            + (t.composite() ? ", region = 'r' || ((id + " + shift + ") % 3)" : "")
                            + " WHERE id BETWEEN " + a + " AND " + b);
                }
            }
        }
        long old = candidates.get(r.nextInt(candidates.size()));
        long to = allocId(t);
        String sql = moveKey(t, old, to);
        t.ids.remove(old);
        t.ids.add(to);
        if (t.bigIds.remove(old)) {
            t.bigIds.add(to);
        }
        return List.of(sql);
    }

    private void swapBig(Table t, long k1, long k2) {
        boolean b1 = t.bigIds.contains(k1);
        boolean b2 = t.bigIds.contains(k2);
        t.bigIds.remove(k1);
        t.bigIds.remove(k2);
        if (b1) {
            t.bigIds.add(k2);
        }
        if (b2) {
            t.bigIds.add(k1);
        }
    }

    private String moveKey(Table t, long from, long to) {
        return "UPDATE " + t.qualified() + " SET id = " + to + (t.composite() ? ", region = " + region(to) : "")
                + " WHERE id = " + from;
    }

    private List<String> toast(Table t) {
        int variant = r.nextInt(8);
        if (t.ids.isEmpty() || variant == 0) {
            long id = allocId(t);
            String sql = insertSql(t, List.of(id), false);
            t.bigIds.add(id);
            // replace the big value of the inserted row by a big one (insertSql wrote NULL or 'small')
            return List.of(sql, "UPDATE " + t.qualified() + " SET big = " + bigValue() + " WHERE id = " + id);
        }
        List<Long> bigRows = new ArrayList<>(t.bigIds);
        long id = !bigRows.isEmpty() && r.nextInt(4) != 0 ? bigRows.get(r.nextInt(bigRows.size())) : someId(t);
        String where = " WHERE id = " + id;
        switch (variant) {
            case 1 -> {
                t.bigIds.add(id);
                return List.of("UPDATE " + t.qualified() + " SET big = " + bigValue() + where);
            }
            case 2, 3 -> {
                // another column changes, the big value stays as it is (pgoutput sends it as "unchanged TOAST")
                if (t.cols.isEmpty()) {
                    return List.of("UPDATE " + t.qualified() + " SET id = id" + where);
                }
                Col c = t.cols.get(r.nextInt(t.cols.size()));
                return List.of("UPDATE " + t.qualified() + " SET " + q(c.name) + " = " + value(c) + where);
            }
            case 4 -> {
                return t.bigIds.contains(id) ? List.of("UPDATE " + t.qualified() + " SET big = big || 'x'" + where) : null;
            }
            case 5 -> {
                t.bigIds.remove(id);
                return List.of("UPDATE " + t.qualified() + " SET big = NULL" + where);
            }
            case 6 -> {
                if (toastPkGuard(t, id) || copyRace(t)) {
                    return null;
                }
                long to = allocId(t);
                t.ids.remove(id);
                t.ids.add(to);
                if (t.bigIds.remove(id)) {
                    t.bigIds.add(to);
                }
                return List.of(moveKey(t, id, to));
            }
            default -> {
                List<String> sql = new ArrayList<>();
                if (!t.cols.isEmpty()) {
                    Col c = t.cols.get(r.nextInt(t.cols.size()));
                    sql.add("UPDATE " + t.qualified() + " SET " + q(c.name) + " = " + value(c) + where);
                    sql.add("UPDATE " + t.qualified() + " SET " + q(c.name) + " = " + value(c) + where);
                }
                t.bigIds.add(id);
                sql.add("UPDATE " + t.qualified() + " SET big = " + bigValue() + where);
                return sql;
            }
        }
    }

    private List<String> bulk(Table t) {
        int variant = r.nextInt(4);
        if (variant == 0 && !t.ids.isEmpty() && !t.cols.isEmpty()) {
            Col c = t.cols.get(r.nextInt(t.cols.size()));
            return List.of("UPDATE " + t.qualified() + " SET " + q(c.name) + " = " + c.type.bulk("id"));
        }
        if (variant == 1 && t.ids.size() > 10 && !copyRace(t)) {
            List<Long> even = t.ids.stream().filter(id -> id % 2 == 0).toList();
            even.forEach(id -> {
                t.ids.remove(id);
                t.bigIds.remove(id);
            });
            return List.of("DELETE FROM " + t.qualified() + " WHERE id % 2 = 0");
        }
        int n = 200 + r.nextInt(Math.max(1, bulkMax - 200));
        long from = t.nextId;
        t.nextId += n;
        return List.of(bulkInsert(t, from, from + n - 1));
    }

    /** INSERT ... SELECT over generate_series(from, to) (ids outside the table's residues are skipped); adds the keys. */
    private String bulkInsert(Table t, long from, long to) {
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(t.qualified()).append(" (").append(columnList(t))
                .append(") SELECT g");
        if (t.composite()) {
            sql.append(", 'r' || (g % 3)");
        }
        int salt = r.nextInt(11);
        for (Col c : t.cols) {
            String expr = c.type.bulk("g");
            sql.append(", ").append(c.notNull ? expr : "CASE WHEN g % 11 = " + salt + " THEN NULL ELSE " + expr + " END");
        }
        if (t.big) {
            sql.append(", CASE WHEN g % 5 = 0 THEN repeat(md5(g::text || '").append(salt).append("'), 100 + (g % 7) * 100) END");
        }
        sql.append(" FROM generate_series(").append(from).append(", ").append(to).append(") g");
        if (t.kind == Kind.PARTITIONED || t.kind == Kind.DETACHED) {
            sql.append(" WHERE g % 3 IN (").append(String.join(", ", t.residues.stream().map(String::valueOf).toList())).append(')');
        }
        for (long g = from; g <= to; g++) {
            if (t.residueAllowed(g)) {
                t.ids.add(g);
                if (t.big && g % 5 == 0) {
                    t.bigIds.add(g);
                }
            }
        }
        t.nextId = Math.max(t.nextId, to + 1);
        return sql.toString();
    }

    private List<Step> transaction() {
        List<Table> chosen = new ArrayList<>();
        for (int i = 0; i < 1 + r.nextInt(3); i++) {
            Table t = pick(x -> true);
            if (t != null && !chosen.contains(t)) {
                chosen.add(t);
            }
        }
        if (chosen.isEmpty()) {
            return null;
        }
        boolean rollback = r.nextInt(10) == 0;
        SourceModel saved = rollback ? m.copy() : null;
        List<ChaosOp> kinds = new ArrayList<>();
        for (ChaosOp op : List.of(ChaosOp.INSERT, ChaosOp.UPDATE, ChaosOp.DELETE, ChaosOp.PK_CHANGE, ChaosOp.TOAST)) {
            if (ops.contains(op)) {
                kinds.add(op);
            }
        }
        kinds.add(ChaosOp.INSERT);
        List<String> sql = new ArrayList<>();
        Set<String> touched = new LinkedHashSet<>();
        int n = 2 + r.nextInt(7);
        for (int i = 0; i < n; i++) {
            Table t = m.tables.get(key(chosen.get(r.nextInt(chosen.size()))));
            ChaosOp op = kinds.get(r.nextInt(kinds.size()));
            if (t == null || !applicable(op, t)) {
                continue;
            }
            List<String> part = dml(op, t);
            if (part != null) {
                sql.addAll(part);
                touched.add(key(t));
            }
        }
        if (sql.isEmpty()) {
            return null;
        }
        if (rollback) {
            m.restore(saved);
            return List.of(Step.rollback(ChaosOp.TX, touched, sql));
        }
        return List.of(new Step(ChaosOp.TX, Step.Kind.TRANSACTION, List.copyOf(sql), Set.copyOf(touched), null));
    }

    private List<Step> truncate() {
        Table t = pick(x -> !copyRace(x));
        if (t == null) {
            return null;
        }
        int variant = r.nextInt(3);
        if (variant == 0) {
            Table other = pick(x -> x != t && !copyRace(x));
            if (other != null) {
                clear(t);
                clear(other);
                return List.of(Step.autocommit(ChaosOp.TRUNCATE, Set.of(key(t), key(other)),
                        List.of("TRUNCATE " + t.qualified() + ", " + other.qualified())));
            }
        }
        clear(t);
        if (variant == 1) {
            List<String> sql = new ArrayList<>();
            sql.add("TRUNCATE " + t.qualified());
            sql.addAll(insert(t));
            return List.of(Step.tx(ChaosOp.TRUNCATE, Set.of(key(t)), sql));
        }
        return List.of(Step.autocommit(ChaosOp.TRUNCATE, Set.of(key(t)), List.of("TRUNCATE " + t.qualified())));
    }

    private void clear(Table t) {
        t.truncatedRound = round;
        t.ids.clear();
        t.bigIds.clear();
        t.deleted.clear();
    }

    // ================================================================ DDL

    private List<Step> addColumn(ChaosOp op, boolean odd) {
        Table t = pick(Table::columnDdlAllowed);
        if (t == null) {
            return null;
        }
        ChaosType type = ChaosType.PICKABLE[r.nextInt(ChaosType.PICKABLE.length)];
        Col c = new Col(odd ? oddColumn(t) : "c" + (++t.colCounter), type, false);
        t.cols.add(c);
        t.firstType.putIfAbsent(c.name, type);
        List<String> sql = new ArrayList<>();
        sql.add("ALTER TABLE " + t.qualified() + " ADD COLUMN " + q(c.name) + " " + type.sql);
        if (!t.ids.isEmpty() && r.nextBoolean()) {
            sql.add("UPDATE " + t.qualified() + " SET " + q(c.name) + " = " + type.literal(r) + " WHERE id >= " + someId(t));
        }
        return List.of(r.nextBoolean() ? Step.tx(op, Set.of(key(t)), sql) : Step.autocommit(op, Set.of(key(t)), sql));
    }

    private String oddColumn(Table t) {
        return ODD_COLUMN[r.nextInt(ODD_COLUMN.length)] + " " + (++t.colCounter);
    }

    private Table newTable(String schema, String name, Kind kind, boolean big) {
        Table t = new Table(schema, name, kind);
        t.big = big;
        t.pkName = "pk_" + (++m.nameCounter);
        int n = 1 + r.nextInt(5);
        for (int i = 0; i < n; i++) {
            ChaosType type = ChaosType.PICKABLE[r.nextInt(ChaosType.PICKABLE.length)];
            t.cols.add(new Col("c" + (++t.colCounter), type, r.nextInt(8) == 0));
        }
        if (kind == Kind.PARTITIONED) {
            t.residues.addAll(List.of(0, 1, 2));
        }
        t.copyRound = round;
        return t;
    }

    private String freshName() {
        return "t" + (++m.nameCounter);
    }

    /** CREATE TABLE (+ partitions, identity) and {@code rows} rows, in one transaction or statement by statement. */
    private Step createTable(ChaosOp op, Table t, int rows, boolean oneTransaction) {
        List<String> sql = new ArrayList<>(createSql(t));
        m.add(t);
        if (rows > 0) {
            long from = t.nextId;
            t.nextId += rows;
            sql.add(rows <= 20 && r.nextBoolean() ? insertSql(t, range(t, from, from + rows - 1), ops.contains(ChaosOp.TOAST))
                    : bulkInsert(t, from, from + rows - 1));
        }
        return oneTransaction || t.kind == Kind.PARTITIONED || t.kind == Kind.FULL ? Step.tx(op, Set.of(key(t)), sql)
                : Step.autocommit(op, Set.of(key(t)), sql);
    }

    private static List<Long> range(Table t, long from, long to) {
        List<Long> ids = new ArrayList<>();
        for (long g = from; g <= to; g++) {
            if (t.residueAllowed(g)) {
                ids.add(g);
            }
        }
        return ids;
    }

    private List<String> createSql(Table t) {
        t.cols.forEach(c -> t.firstType.putIfAbsent(c.name, c.type));
        StringBuilder sql = new StringBuilder("CREATE TABLE ").append(t.qualified()).append(" (id bigint NOT NULL");
        if (t.composite()) {
            sql.append(", region text NOT NULL");
        }
        for (Col c : t.cols) {
            sql.append(", ").append(q(c.name)).append(' ').append(c.type.sql).append(c.notNull ? " NOT NULL" : "");
        }
        if (t.big) {
            sql.append(", big text STORAGE EXTERNAL");
        }
        if (t.hasKey()) {
            sql.append(", CONSTRAINT ").append(q(t.pkName)).append(" PRIMARY KEY (").append(keyList(t)).append(')');
        }
        sql.append(')');
        if (t.kind == Kind.PARTITIONED) {
            sql.append(" PARTITION BY LIST (region)");
        }
        List<String> out = new ArrayList<>(List.of(sql.toString()));
        if (t.kind == Kind.PARTITIONED) {
            for (int residue : t.residues) {
                out.add("CREATE TABLE " + SourceModel.ident(t.schema) + "." + q(t.partition(residue)) + " PARTITION OF "
                        + t.qualified() + " FOR VALUES IN ('r" + residue + "')");
            }
        }
        if (t.kind == Kind.FULL) {
            out.add("ALTER TABLE " + t.qualified() + " REPLICA IDENTITY FULL");
            if (t.uniqueIndex != null) {
                out.add("CREATE UNIQUE INDEX " + q(t.uniqueIndex) + " ON " + t.qualified() + " (id)");
            }
        }
        return out;
    }

    private List<Step> dropTable(ChaosOp op) {
        if (m.watched().size() <= MIN_TABLES) {
            return null;
        }
        Table t = pick(x -> x.watched() && x.kind != Kind.PARTITIONED && x.kind != Kind.DETACHED);
        if (t == null) {
            return null;
        }
        m.remove(t);
        Table other = m.watched().size() > MIN_TABLES && r.nextInt(4) == 0
                ? pick(x -> x.watched() && x.kind != Kind.PARTITIONED && x.kind != Kind.DETACHED) : null;
        if (other != null) {
            m.remove(other);
            return List.of(Step.autocommit(op, Set.of(key(t), key(other)), List.of("DROP TABLE " + t.qualified() + ", " + other.qualified())));
        }
        return List.of(Step.autocommit(op, Set.of(key(t)), List.of("DROP TABLE " + t.qualified())));
    }

    /**
     * DROP + CREATE of a same-named table, keys from 1 again (so old keys collide). With {@code sameShape} the new table
     * has the same kind of key and keeps some old columns with their types (plus new ones), so the old ClickHouse table
     * could hold it; otherwise kind and columns are drawn anew.
     */
    private List<Step> recreate(ChaosOp op, boolean sameShape) {
        Table old = pick(x -> x.watched() && (x.kind == Kind.PLAIN || x.kind == Kind.COMPOSITE));
        if (old == null) {
            return null;
        }
        m.remove(old);
        Table t;
        if (sameShape) {
            t = newTable(old.schema, old.name, old.kind, old.big);
            t.cols.clear();
            t.colCounter = old.colCounter;
            t.firstType.putAll(old.firstType);
            for (Col c : old.cols) {
                if (r.nextInt(3) != 0 && c.type == old.firstType.get(c.name)) {
                    t.cols.add(c.copy()); // (an added NOT NULL column stays Nullable in the kept ClickHouse table)
                }
            }
            for (int i = 0; i < r.nextInt(3); i++) {
                t.cols.add(new Col("c" + (++t.colCounter), ChaosType.PICKABLE[r.nextInt(ChaosType.PICKABLE.length)], false));
            }
        } else {
            t = newTable(old.schema, old.name, r.nextBoolean() ? Kind.PLAIN : Kind.COMPOSITE,
                    ops.contains(ChaosOp.TOAST) && r.nextInt(3) == 0);
        }
        List<String> sql = new ArrayList<>();
        sql.add("DROP TABLE " + old.qualified());
        sql.addAll(createSql(t));
        m.add(t);
        int rows = r.nextInt(150);
        if (rows > 0) {
            t.nextId = rows + 1;
            sql.add(bulkInsert(t, 1, rows));
        }
        return List.of(r.nextBoolean() ? Step.tx(op, Set.of(key(t)), sql) : Step.autocommit(op, Set.of(key(t)), sql));
    }

    private List<Step> pkChangeToastDuringCopy(ChaosOp op) {
        if (!workerUp) {
            return null;
        }
        List<Step> steps = new ArrayList<>();
        Table t = pick(x -> x.watched() && x.big && x.expect == Expect.RUNNING && x.bigIds.size() >= 3);
        if (t == null || r.nextInt(3) == 0) {
            if (m.watched().size() >= MAX_TABLES) {
                return null;
            }
            // a new table whose copy takes a moment: 300 rows with 20 kB out-of-line values
            t = newTable("public", freshName(), Kind.PLAIN, true);
            List<String> sql = new ArrayList<>(createSql(t));
            m.add(t);
            sql.add("INSERT INTO " + t.qualified() + " (" + columnList(t) + ") SELECT g" + t.cols.stream()
                    .map(c -> ", " + c.type.bulk("g")).reduce("", String::concat)
                    + ", repeat(md5(g::text), 640) FROM generate_series(1, 300) g");
            for (long g = 1; g <= 300; g++) {
                t.ids.add(g);
                t.bigIds.add(g);
            }
            t.nextId = 301;
            steps.add(Step.tx(op, Set.of(key(t)), sql));
        } else {
            steps.add(Step.resync(op, key(t), mirrorName(t)));
        }
        t.copyRound = round;
        List<String> changes = new ArrayList<>();
        List<Long> bigRows = new ArrayList<>(t.bigIds);
        for (int i = 0; i < Math.min(5, bigRows.size()); i++) {
            long from = bigRows.get(r.nextInt(bigRows.size()));
            if (!t.ids.contains(from)) {
                continue;
            }
            long to = allocId(t);
            changes.add(moveKey(t, from, to));
            t.ids.remove(from);
            t.ids.add(to);
            t.bigIds.remove(from);
            t.bigIds.add(to);
            bigRows.remove(from);
            if (!t.cols.isEmpty() && r.nextBoolean()) {
                Col c = t.cols.get(r.nextInt(t.cols.size()));
                changes.add("UPDATE " + t.qualified() + " SET " + q(c.name) + " = " + value(c) + " WHERE id = " + to);
            }
        }
        if (changes.isEmpty()) {
            return null;
        }
        steps.add(r.nextBoolean() ? Step.tx(op, Set.of(key(t)), changes) : Step.autocommit(op, Set.of(key(t)), changes));
        return steps;
    }

    /**
     * Provokes the routing race of {@link ChaosOp#COPY_RACE}: a change of a row of the victim and later its delete (or
     * a truncate), separated by random amounts of stream lag (big updates of a ballast table), then a resync of the
     * victim, whose copy point lies after both. Half of the time the worker is stopped before and started again right
     * before the resync, so that the new worker replays all of it from the slot while the copy runs. Whether the stream
     * reaches the change during the copy and the delete after it is a matter of timing; repetition finds it.
     */
    private List<Step> copyRace(ChaosOp op) {
        if (!workerUp) {
            return null;
        }
        Table victim = pick(x -> x.watched() && x.expect == Expect.RUNNING && x.hasKey() && x.ids.size() >= 2);
        Table ballast = pick(x -> x != victim && x.ids.size() >= 300 && !x.cols.isEmpty());
        if (victim == null || ballast == null) {
            return null;
        }
        List<Step> steps = new ArrayList<>();
        boolean replay = r.nextBoolean();
        if (replay) {
            steps.add(Step.worker(op, Step.Kind.STOP_WORKER));
        }
        Col b = ballast.cols.get(r.nextInt(ballast.cols.size()));
        String lag = "UPDATE " + ballast.qualified() + " SET " + q(b.name) + " = " + b.type.bulk("id");
        for (int i = r.nextInt(3); i > 0; i--) {
            steps.add(Step.autocommit(op, Set.of(key(ballast)), List.of(lag)));
        }
        long k = someId(victim);
        steps.add(Step.autocommit(op, Set.of(key(victim)), List.of("UPDATE " + victim.qualified() + " SET id = id WHERE id = " + k)));
        for (int i = 1 + r.nextInt(3); i > 0; i--) {
            steps.add(Step.autocommit(op, Set.of(key(ballast)), List.of(lag)));
        }
        if (r.nextInt(4) == 0) {
            clear(victim);
            steps.add(Step.autocommit(op, Set.of(key(victim)), List.of("TRUNCATE " + victim.qualified())));
        } else {
            victim.ids.remove(k);
            victim.bigIds.remove(k);
            steps.add(Step.autocommit(op, Set.of(key(victim)), List.of("DELETE FROM " + victim.qualified() + " WHERE id = " + k)));
        }
        if (replay) {
            steps.add(Step.worker(op, Step.Kind.START_WORKER));
        }
        victim.copyRound = round;
        steps.add(Step.resync(op, key(victim), mirrorName(victim)));
        return steps;
    }

    /**
     * Whether DDL that changes values without row changes could now hit the bug of {@link ChaosOp#TRUNCATE_THEN_REWRITE}
     * while that family is off: the table was truncated in this round (a replay could apply that truncate after the
     * resync's copy).
     */
    private boolean truncateThenRewrite(Table t) {
        return !ops.contains(ChaosOp.TRUNCATE_THEN_REWRITE) && t.truncatedRound >= round;
    }

    private List<Step> alterTypeUsing(ChaosOp op) {
        Table t = pick(x -> x.columnDdlAllowed() && !truncateThenRewrite(x) && x.cols.stream().anyMatch(c -> usingRewrite(c) != null));
        if (t == null) {
            return null;
        }
        List<Col> candidates = t.cols.stream().filter(c -> usingRewrite(c) != null).toList();
        Col c = candidates.get(r.nextInt(candidates.size()));
        String[] rewrite = usingRewrite(c);
        c.type = ChaosType.valueOf(rewrite[1]);
        t.copyRound = round;
        t.expect = t.expect == Expect.RUNNING ? Expect.ANY : t.expect;
        return List.of(Step.autocommit(op, Set.of(key(t)), List.of("ALTER TABLE " + t.qualified() + " ALTER COLUMN " + q(c.name)
                + " TYPE " + c.type.sql + " USING " + rewrite[0].replace("$", q(c.name)))));
    }

    /** {USING expression over $, resulting type} for a type-changing rewrite that never fails, or null. */
    private static String[] usingRewrite(Col c) {
        return switch (c.type) {
            case BIGINT -> new String[] {"$ / 2", "BIGINT"};
            case INTEGER, SMALLINT -> new String[] {"$::bigint * 3", "BIGINT"};
            case TEXT, VARCHAR -> new String[] {"$ || '!'", "TEXT"};
            case BOOL -> new String[] {"NOT $", "BOOL"};
            case FLOAT8 -> new String[] {"-$", "FLOAT8"};
            case DATE -> new String[] {"$ + 1", "DATE"};
            case TIMESTAMPTZ -> new String[] {"$ + interval '1 hour'", "TIMESTAMPTZ"};
            default -> null;
        };
    }

    private List<Step> partitions(ChaosOp op) {
        List<Table> parents = m.all().stream().filter(x -> x.kind == Kind.PARTITIONED).toList();
        if (parents.isEmpty() || (r.nextInt(4) == 0 && m.watched().size() < MAX_TABLES - 1)) {
            if (m.watched().size() >= MAX_TABLES - 1) {
                return null;
            }
            Table t = newTable("public", freshName(), Kind.PARTITIONED, false);
            return List.of(createTable(op, t, 30 + r.nextInt(300), true));
        }
        Table p = parents.get(r.nextInt(parents.size()));
        List<Table> detached = m.all().stream().filter(x -> x.kind == Kind.DETACHED && p.name.equals(x.parent)).toList();
        int variant = r.nextInt(2);
        if (variant == 0 && !detached.isEmpty()) {
            Table child = detached.get(r.nextInt(detached.size()));
            int residue = child.residues.first();
            m.remove(child);
            p.residues.add(residue);
            p.ids.addAll(child.ids);
            p.nextId = Math.max(p.nextId, child.nextId);
            p.copyRound = round;
            return List.of(Step.autocommit(op, Set.of(key(p), key(child)), List.of("ALTER TABLE " + p.qualified()
                    + " ATTACH PARTITION " + child.qualified() + " FOR VALUES IN ('r" + residue + "')")));
        }
        if (variant == 1 && p.residues.size() >= 2 && m.watched().size() < MAX_TABLES) {
            List<Integer> attached = new ArrayList<>(p.residues);
            int residue = attached.get(r.nextInt(attached.size()));
            Table child = new Table(p.schema, p.partition(residue), Kind.DETACHED);
            p.cols.forEach(c -> child.cols.add(c.copy()));
            child.residues.add(residue);
            child.parent = p.name;
            child.pkName = null;
            child.nextId = p.nextId;
            child.copyRound = round;
            for (long id : List.copyOf(p.ids)) {
                if (id % 3 == residue) {
                    p.ids.remove(id);
                    child.ids.add(id);
                }
            }
            p.residues.remove(residue);
            p.copyRound = round;
            m.add(child);
            return List.of(Step.autocommit(op, Set.of(key(p), key(child)), List.of("ALTER TABLE " + p.qualified()
                    + " DETACH PARTITION " + SourceModel.ident(p.schema) + "." + q(p.partition(residue)))));
        }
        return null;
    }

    // ================================================================ helpers

    /** Two tables swap names through a third in one transaction: neither mirror may follow its table one by one. */
    private List<Step> swap(ChaosOp op, Predicate<Table> renamable) {
        Table a = pick(renamable);
        Table b = a == null ? null : pick(renamable.and(x -> x != a && x.schema.equals(a.schema)));
        if (b == null) {
            return null;
        }
        String nameA = a.name;
        String nameB = b.name;
        Set<String> touched = Set.of(key(a), key(b));
        String tmp = freshName();
        List<String> sql = new ArrayList<>();
        sql.add("ALTER TABLE " + a.qualified() + " RENAME TO " + q(tmp));
        m.rename(a, tmp);
        sql.add("ALTER TABLE " + b.qualified() + " RENAME TO " + q(nameA));
        m.rename(b, nameA);
        sql.add("ALTER TABLE " + a.qualified() + " RENAME TO " + q(nameB));
        m.rename(a, nameB);
        a.copyRound = round;
        b.copyRound = round;
        return List.of(Step.tx(op, touched, sql));
    }

    private Table pick(Predicate<Table> filter) {
        List<Table> candidates = m.all().stream().filter(filter).toList();
        return candidates.isEmpty() ? null : candidates.get(r.nextInt(candidates.size()));
    }

    private long someId(Table t) {
        // a uniformly random existing key without copying the set: a random point, then the next key at or after it
        long lo = t.ids.first();
        long hi = t.ids.last();
        long probe = lo + (long) (r.nextDouble() * (hi - lo + 1));
        Long id = t.ids.ceiling(probe);
        return id == null ? hi : id;
    }

    private long allocId(Table t) {
        while (true) {
            long id = t.nextId++;
            if (t.residueAllowed(id) && !t.ids.contains(id)) {
                return id;
            }
        }
    }

    private static String region(long id) {
        return "'r" + (id % 3) + "'";
    }

    private String value(Col c) {
        if (!c.notNull && r.nextInt(6) == 0) {
            return "NULL";
        }
        return c.type.literal(r);
    }

    private String bigValue() {
        StringBuilder token = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            token.append(Character.forDigit(r.nextInt(16), 16));
        }
        return "repeat('" + token + "', " + (100 + r.nextInt(2500)) + ")";
    }

    private static String columnList(Table t) {
        StringBuilder sb = new StringBuilder("id");
        if (t.composite()) {
            sb.append(", region");
        }
        for (Col c : t.cols) {
            sb.append(", ").append(q(c.name));
        }
        if (t.big) {
            sb.append(", big");
        }
        return sb.toString();
    }

    private static String keyList(Table t) {
        return t.composite() ? "region, id" : "id";
    }

    static String q(String name) {
        return SourceModel.ident(name);
    }

    static String key(Table t) {
        return t.schema + "." + t.name;
    }

    static String mirrorName(Table t) {
        return MirrorName.forTable(TableRef.of(t.schema, t.name), false).value();
    }
}
