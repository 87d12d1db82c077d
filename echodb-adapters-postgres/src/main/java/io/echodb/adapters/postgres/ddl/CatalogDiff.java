package io.echodb.adapters.postgres.ddl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What changed between the tables recorded in {@code known_tables} and the live catalog, as the outbox events the event
 * triggers would have written (a pure function, so every case is unit-tested without a server).
 *
 * <p>Events come in an order that folds correctly whatever happened between two sweeps: drops first, then renames,
 * then creations, then changes of existing tables. A rename whose new name was held by another table at the last sweep,
 * or whose old name is held by another table now (a swap, a table renamed away and another created under its name), is
 * reported as a drop of the old name and a creation of the new one, because {@code DdlPlan} folds events by name.
 *
 * <p>What the catalog shows but the triggers saw as statements: a column's type changed (type OID or modifier) or one
 * of its enum values renamed, the table's storage replaced ({@code relfilenode}: ALTER … USING, but also VACUUM FULL,
 * CLUSTER and TRUNCATE, which the catalog cannot tell apart — each costs a copy, never a wrong row), a column added and
 * dropped in between ({@code relnatts} grew past the live columns), and for a table seen for the first time, any sign
 * of such DDL since it was created (a mirror may have copied it before).
 */
final class CatalogDiff {

    private static final String SWEEP = " (seen by the catalog sweep)";

    /** The steps to run, the rows to record (insert or update), the OIDs to forget. */
    record Outcome(List<SweepStep> steps, List<CatalogTable> recorded, List<Long> forgotten) {
        Outcome {
            steps = List.copyOf(steps);
            recorded = List.copyOf(recorded);
            forgotten = List.copyOf(forgotten);
        }

        /** True when some event is emitted: the publication guard runs then. */
        boolean changed() {
            return !steps.isEmpty();
        }
    }

    private final Map<Long, CatalogTable> before = new HashMap<>();
    private final Map<Long, CatalogTable> now = new HashMap<>();
    private final List<SweepStep> drops = new ArrayList<>();
    private final List<SweepStep> renames = new ArrayList<>();
    private final List<SweepStep> creations = new ArrayList<>();
    private final List<SweepStep> changes = new ArrayList<>();
    private final Set<Long> watches = new LinkedHashSet<>();
    private final List<CatalogTable> recorded = new ArrayList<>();
    private final List<Long> forgotten = new ArrayList<>();

    private CatalogDiff(Collection<CatalogTable> known, Collection<CatalogTable> live) {
        known.forEach(t -> before.put(t.oid(), t));
        live.forEach(t -> now.put(t.oid(), t));
    }

    static Outcome between(Collection<CatalogTable> known, Collection<CatalogTable> live) {
        CatalogDiff diff = new CatalogDiff(known, live);
        known.stream().filter(k -> !diff.now.containsKey(k.oid())).forEach(diff::gone);
        live.forEach(diff::seen);
        List<SweepStep> steps = new ArrayList<>(diff.drops);
        steps.addAll(diff.renames);
        steps.addAll(diff.creations);
        steps.addAll(diff.changes);
        diff.watches.forEach(root -> steps.add(new SweepStep.WatchPartitions(root)));
        return new Outcome(steps, diff.recorded, diff.forgotten);
    }

    private void gone(CatalogTable k) {
        drops.add(dropped(k));
        if (k.rootOid() != null && now.containsKey(k.rootOid())) {
            // a dropped partition's rows left its root without row changes
            changes.add(new SweepStep.EmitRewrite(k.rootOid(), "partition " + k.qualifiedName() + " dropped" + SWEEP));
        }
        forgotten.add(k.oid());
    }

    private void seen(CatalogTable t) {
        CatalogTable k = before.get(t.oid());
        if (k == null) {
            creations.add(created(t));
            List<String> sinceCreated = rowChangingSinceCreated(t);
            if (!sinceCreated.isEmpty()) {
                changes.add(new SweepStep.EmitRewrite(t.oid(), String.join("; ", sinceCreated) + SWEEP));
            }
            watchPartitionsOf(t);
            recorded.add(t.withDroppedNames(List.of()));
            return;
        }
        if (!t.sameName(k)) {
            renamed(k, t);
        }
        List<String> dropped = droppedNames(k, t);
        List<String> reasons = rowChangingReasons(k, t, dropped);
        boolean partitionChanged = k.partition() != t.partition();
        List<SweepStep> rootRewrites = new ArrayList<>();
        if (partitionChanged) {
            // its rows joined or left a partitioned table without row changes
            if (k.rootOid() != null && now.containsKey(k.rootOid())) {
                rootRewrites.add(new SweepStep.EmitRewrite(k.rootOid(), "partition " + t.qualifiedName() + " detached" + SWEEP));
            }
            if (t.partition()) {
                rootRewrites.add(new SweepStep.EmitRewrite(t.oid(), "partition " + t.qualifiedName() + " attached" + SWEEP));
            }
            watchPartitionsOf(t);
        }
        boolean shapeChanged = !k.attnums().equals(t.attnums()) || !k.names().equals(t.names())
                || (k.columnTypes() != null && !k.columnTypes().equals(t.columnTypes()))
                || (k.identityProblem() != null && !k.identityProblem().equals(t.identityProblem()));
        if (shapeChanged || partitionChanged || !reasons.isEmpty()) {
            changes.add(new SweepStep.Emit("altered", t.schema(), t.name(), null, null, "ALTER TABLE" + SWEEP, t.partition()));
        }
        changes.addAll(rootRewrites);
        if (!reasons.isEmpty()) {
            changes.add(new SweepStep.EmitRewrite(t.oid(), String.join("; ", reasons) + SWEEP));
        }
        CatalogTable rec = t.withDroppedNames(dropped);
        if (!rec.recordedAlike(k)) {
            recorded.add(rec);
        }
    }

    private void renamed(CatalogTable k, CatalogTable t) {
        boolean newNameWasHeld = before.values().stream().anyMatch(o -> o.oid() != t.oid() && o.hasName(t.schema(), t.name()));
        boolean oldNameIsHeld = now.values().stream().anyMatch(o -> o.oid() != t.oid() && o.hasName(k.schema(), k.name()));
        if (newNameWasHeld || oldNameIsHeld) {
            drops.add(dropped(k));
            creations.add(created(t));
        } else {
            renames.add(new SweepStep.Emit("renamed", t.schema(), t.name(), k.schema(), k.name(), "ALTER TABLE" + SWEEP,
                    t.partition()));
        }
    }

    /** Why existing rows now hold values the stream never sent (empty when none). */
    private static List<String> rowChangingReasons(CatalogTable k, CatalogTable t, List<String> dropped) {
        List<String> reasons = new ArrayList<>();
        Map<Integer, Integer> known = indexOf(k.attnums());
        List<String> renamedColumns = new ArrayList<>();
        List<String> readded = new ArrayList<>();
        List<String> retyped = new ArrayList<>();
        for (int i = 0; i < t.attnums().size(); i++) {
            Integer at = known.get(t.attnums().get(i));
            String name = t.names().get(i);
            if (at == null) {
                if (dropped.contains(name)) {
                    readded.add(name);
                }
                continue;
            }
            if (!k.names().get(at).equals(name)) {
                renamedColumns.add(k.names().get(at) + " -> " + name);
            }
            if (k.columnTypes() != null && ColumnType.valuesChanged(k.columnTypes().get(at), t.columnTypes().get(i))) {
                retyped.add(name);
            }
        }
        if (!renamedColumns.isEmpty()) {
            reasons.add("RENAME COLUMN " + String.join(", ", renamedColumns));
        }
        if (!readded.isEmpty()) {
            reasons.add("column " + String.join(", ", readded) + " added again after a drop");
        }
        if (k.attnumsAllocated() != null && droppedAmongHandedOutAfter(k.attnumsAllocated(), t)) {
            // Its name is gone from the catalog: if it was written to and a column of the same name is added now or
            // later, the target's kept column would hold its values for rows nobody updated. Copying now drops them.
            reasons.add("a column added and dropped again since the last sweep");
        }
        if (!k.missingAttnums().containsAll(t.missingAttnums())) {
            reasons.add("ADD COLUMN with a default");
        }
        if (!retyped.isEmpty()) {
            reasons.add("type of " + String.join(", ", retyped) + " changed");
        }
        if (k.fileNode() != null && t.fileNode() != null && k.fileNode() != 0 && !k.fileNode().equals(t.fileNode())) {
            reasons.add("storage rewritten (ALTER TABLE with a rewrite, VACUUM FULL, CLUSTER or TRUNCATE)");
        }
        return reasons;
    }

    /**
     * Why a table first seen now may hold values the stream never sent, measured against how PostgreSQL creates a table
     * (its file numbered like the table, no dropped columns, no defaults read from the catalog). A mirror may have
     * copied it before that DDL — the mirror of a table re-created under its name follows the new relation after a
     * resync or its own copy — and "created" copies nothing for a mirror that already follows the relation (schema
     * chaos seed 300088627, catalog capture: {@code ALTER COLUMN c2 TYPE bigint USING c2 / 2} on a bigint column,
     * between the table's re-creation and its first sweep, left the target with the old values).
     */
    private static List<String> rowChangingSinceCreated(CatalogTable t) {
        List<String> reasons = new ArrayList<>();
        if (t.fileNode() != null && t.fileNode() != 0 && t.fileNode() != t.oid()) {
            reasons.add("storage rewritten since it was created");
        }
        if (droppedAmongHandedOutAfter(0, t)) {
            reasons.add("a column dropped since it was created");
        }
        if (!t.missingAttnums().isEmpty()) {
            reasons.add("ADD COLUMN with a default since it was created");
        }
        return reasons;
    }

    /**
     * True when a column number PostgreSQL handed out after the first {@code before} is not a live column now (a column
     * added and dropped since); false when {@code t} does not know its count.
     */
    private static boolean droppedAmongHandedOutAfter(int before, CatalogTable t) {
        if (t.attnumsAllocated() == null) {
            return false;
        }
        long handedOut = Math.max(0, t.attnumsAllocated() - before);
        long liveOfThem = t.attnums().stream().filter(a -> a > before).count();
        return liveOfThem < handedOut;
    }

    private static List<String> droppedNames(CatalogTable k, CatalogTable t) {
        Set<String> names = new LinkedHashSet<>(k.droppedNames());
        for (int i = 0; i < k.attnums().size(); i++) {
            if (!t.attnums().contains(k.attnums().get(i))) {
                names.add(k.names().get(i));
            }
        }
        return List.copyOf(names);
    }

    private void watchPartitionsOf(CatalogTable t) {
        if (t.partitioned()) {
            watches.add(t.oid());
        }
        if (t.partition() && t.rootOid() != null) {
            watches.add(t.rootOid());
        }
    }

    private static SweepStep.Emit dropped(CatalogTable k) {
        return new SweepStep.Emit("dropped", k.schema(), k.name(), null, null, "DROP TABLE" + SWEEP, k.partition());
    }

    private static SweepStep.Emit created(CatalogTable t) {
        return new SweepStep.Emit("created", t.schema(), t.name(), null, null, "CREATE TABLE" + SWEEP, t.partition());
    }

    private static Map<Integer, Integer> indexOf(List<Integer> attnums) {
        Map<Integer, Integer> index = new HashMap<>();
        for (int i = 0; i < attnums.size(); i++) {
            index.put(attnums.get(i), i);
        }
        return index;
    }

    /** A column type signature: {@code typeOid:typmod} and, for enums (or arrays of enums), {@code :oid=md5,...}. */
    static final class ColumnType {

        private ColumnType() {
        }

        /** True when existing values may read differently: another type or modifier, or an enum value renamed. */
        static boolean valuesChanged(String before, String after) {
            String[] b = before.split(":", 3);
            String[] a = after.split(":", 3);
            if (b.length < 2 || a.length < 2 || !b[0].equals(a[0]) || !b[1].equals(a[1])) {
                return true;
            }
            Map<String, String> labelsAfter = enumLabels(a);
            // ALTER TYPE ... ADD VALUE only adds entries; RENAME VALUE keeps the value's OID with another label
            return enumLabels(b).entrySet().stream().anyMatch(e -> !e.getValue().equals(labelsAfter.get(e.getKey())));
        }

        private static Map<String, String> enumLabels(String[] parts) {
            Map<String, String> labels = new HashMap<>();
            if (parts.length == 3 && !parts[2].isEmpty()) {
                for (String entry : parts[2].split(",")) {
                    int eq = entry.indexOf('=');
                    labels.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
            return labels;
        }
    }
}
