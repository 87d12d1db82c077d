package io.echodb.core.testing;

import io.echodb.core.change.RowVersion;
import io.echodb.core.change.SinkRow;
import io.echodb.core.port.out.ChangeSink;
import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.port.out.TargetLayout;
import io.echodb.core.port.out.SinkUnavailableException;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A ClickHouse stand-in: target tables keyed like ReplacingMergeTree(version, is_deleted) seen through FINAL — per
 * key only the row with the highest version counts (equal versions: the later write wins), and a winning deleted row
 * hides the key. Columns are added and kept (or, with {@link #dropMissingColumns}, dropped when a schema lacks them);
 * a changed type or key is incompatible. Writes of rows carrying
 * unchanged-TOAST markers are rejected, as are writes to missing tables or columns. Can be made unavailable for the
 * next N calls, or to fail writes of one table. Thread-safe.
 */
public final class InMemoryChangeSink implements ChangeSink {

    private final Map<String, Target> targets = new HashMap<>();
    private final Map<String, RuntimeException> poisoned = new HashMap<>();
    private final List<String> ddl = new ArrayList<>();
    private boolean dropMissingColumns;
    private int failuresLeft;
    private int failedCalls;
    private long rowsWritten;
    private int writeCalls;
    private int currentRowsCalls;
    private int truncateCalls;

    private static final class Target {
        final LinkedHashMap<String, Column> columns = new LinkedHashMap<>();
        final List<String> keys;
        /** A key-less table's layout: every row image is its own row, keyed by (version, sign); deleted = sign −1. */
        final boolean multiset;
        final Map<RowKey, Stored> rows = new HashMap<>();

        Target(TableSchema schema, boolean multiset) {
            schema.columns().forEach(c -> columns.put(c.name(), c));
            keys = List.copyOf(schema.keyColumns());
            this.multiset = multiset;
        }
    }

    private record Stored(Map<String, Object> values, RowVersion version, boolean deleted) { }

    @Override
    public synchronized SchemaSync ensureTable(String target, TableSchema schema) {
        return ensureTable(target, schema, TargetLayout.DEFAULT);
    }

    /** The layout changes no content here; it shows in the recorded statement. */
    @Override
    public synchronized SchemaSync ensureTable(String target, TableSchema schema, TargetLayout layout) {
        String partitionBy = layout.partitionBy();
        maybeFail("ensure table " + target);
        if (layout.isMultiset() != schema.isMultiset()) {
            return new SchemaSync.Incompatible("layout " + layout + " does not fit " + schema);
        }
        // Like ClickHouse: a keyed target cannot hold rows nothing tells apart, and no rebuild changes that.
        java.util.Optional<String> problem = layout.isMultiset() ? java.util.Optional.empty() : schema.unsupportedReason();
        if (problem.isPresent()) {
            return new SchemaSync.Incompatible(problem.get());
        }
        Target t = targets.get(target);
        if (t == null) {
            targets.put(target, new Target(schema, layout.isMultiset()));
            String statement = "CREATE TABLE " + target + " " + schema.columnNames() + " KEY " + schema.keyColumns()
                    + (partitionBy == null ? "" : " PARTITION BY " + partitionBy)
                    + (layout.hardDeletes() ? " HARD DELETES" : "") + (layout.isMultiset() ? " MULTISET" : "");
            ddl.add(statement);
            return new SchemaSync.Created(statement);
        }
        if (t.multiset != schema.isMultiset()) {
            return new SchemaSync.Incompatible("the target is " + (t.multiset ? "a multiset" : "keyed"), true);
        }
        if (!t.keys.equals(schema.keyColumns())) {
            return new SchemaSync.Incompatible("key columns " + schema.keyColumns() + " differ from the target's " + t.keys, true);
        }
        List<String> dropped = new ArrayList<>();
        if (dropMissingColumns) {
            for (String existing : t.columns.keySet()) {
                if (schema.indexOf(existing) < 0 && !t.keys.contains(existing)) {
                    dropped.add(existing);
                }
            }
        }
        List<Column> added = new ArrayList<>();
        List<Column> widened = new ArrayList<>();
        for (Column c : schema.columns()) {
            Column existing = t.columns.get(c.name());
            if (existing == null) {
                added.add(c);
            } else if (existing.type().equals(c.type()) || holds(existing.type(), c.type())) {
                continue; // like ClickHouse: a target column that can hold every new value is kept, values as they are
            } else if (holds(c.type(), existing.type()) && !t.keys.contains(c.name())) {
                widened.add(c);
            } else {
                return new SchemaSync.Incompatible("column " + c.name() + " changed type from " + existing.type() + " to " + c.type(), true);
            }
        }
        if (added.isEmpty() && dropped.isEmpty() && widened.isEmpty()) {
            return new SchemaSync.Unchanged();
        }
        List<String> changes = new ArrayList<>();
        for (String c : dropped) {
            t.columns.remove(c);
            t.rows.replaceAll((k, stored) -> {
                Map<String, Object> values = new LinkedHashMap<>(stored.values());
                values.remove(c);
                return new Stored(values, stored.version(), stored.deleted());
            });
            changes.add("DROP COLUMN " + c);
        }
        for (Column c : added) {
            t.columns.put(c.name(), c);
            changes.add("ADD COLUMN " + c.name());
        }
        for (Column c : widened) {
            t.columns.put(c.name(), c);
            changes.add("MODIFY COLUMN " + c.name());
        }
        ddl.add("ALTER TABLE " + target + " " + changes);
        return new SchemaSync.Altered(changes);
    }

    /**
     * Like ClickHouse's safe widenings: a column of type {@code big} holds every value of {@code small} (wider integers
     * and floats; text holds any scalar in its text form), so the target takes the change in place, keeping its rows.
     */
    private static boolean holds(ColumnType big, ColumnType small) {
        List<Class<?>> ints = List.of(ColumnType.Int16.class, ColumnType.Int32.class, ColumnType.Int64.class);
        if (ints.contains(big.getClass()) && ints.contains(small.getClass())) {
            return ints.indexOf(big.getClass()) >= ints.indexOf(small.getClass());
        }
        if (big instanceof ColumnType.Float64 && small instanceof ColumnType.Float32) {
            return true;
        }
        return big instanceof ColumnType.Text && !(small instanceof ColumnType.ArrayOf)
                && !(small instanceof ColumnType.Unknown);
    }

    @Override
    public synchronized void write(String target, TableSchema schema, List<SinkRow> rows) {
        maybeFail("write to " + target);
        RuntimeException poison = poisoned.get(target);
        if (poison != null) {
            throw poison;
        }
        Target t = require(target);
        for (Column c : schema.columns()) {
            if (!t.columns.containsKey(c.name())) {
                throw new IllegalStateException("column " + c.name() + " does not exist in " + target + "; ensureTable first");
            }
        }
        int[] keyIdx = keyIndexes(t, schema, target);
        for (SinkRow r : rows) {
            if (r.row().size() != schema.columns().size()) {
                throw new IllegalArgumentException("row " + r.row() + " does not fit " + schema.columnNames());
            }
            if (r.row().hasUnchangedToast()) {
                throw new IllegalArgumentException("unchanged-TOAST marker written to " + target + ": " + r.row());
            }
        }
        for (SinkRow r : rows) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (int i = 0; i < schema.columns().size(); i++) {
                values.put(schema.columns().get(i).name(), r.row().get(i));
            }
            RowKey key = t.multiset ? RowKey.of(r.version().lsn(), r.version().ordinal(), r.deleted())
                    : r.row().key(keyIdx);
            Stored existing = t.rows.get(key);
            if (existing == null || r.version().compareTo(existing.version()) >= 0) {
                t.rows.put(key, new Stored(values, r.version(), r.deleted()));
            }
        }
        writeCalls++;
        rowsWritten += rows.size();
    }

    @Override
    public synchronized Map<RowKey, SinkRow> latestRows(String target, TableSchema schema, Collection<RowKey> keys) {
        maybeFail("read current rows of " + target);
        currentRowsCalls++;
        Target t = require(target);
        Map<RowKey, SinkRow> out = new HashMap<>();
        for (RowKey k : keys) {
            Stored s = t.rows.get(k);
            if (s != null && !s.deleted()) {
                out.put(k, new SinkRow(project(s, schema), s.version(), false));
            }
        }
        return out;
    }

    @Override
    public synchronized void truncate(String target) {
        maybeFail("truncate " + target);
        truncateCalls++;
        Target t = targets.get(target);
        if (t != null) {
            t.rows.clear();
        }
    }

    @Override
    public synchronized void drop(String target) {
        maybeFail("drop " + target);
        targets.remove(target);
    }

    @Override
    public synchronized boolean renameColumns(String target, Map<String, String> renames) {
        maybeFail("rename columns of " + target);
        Target t = targets.get(target);
        if (t == null) {
            return false;
        }
        for (Map.Entry<String, String> r : renames.entrySet()) {
            boolean hasOld = t.columns.containsKey(r.getKey());
            boolean hasNew = t.columns.containsKey(r.getValue());
            if (hasOld == hasNew || t.keys.contains(r.getKey())) {
                if (!hasOld && hasNew) {
                    continue;
                }
                return false;
            }
        }
        renames.forEach((from, to) -> {
            if (!t.columns.containsKey(from)) {
                return;
            }
            LinkedHashMap<String, Column> columns = new LinkedHashMap<>();
            t.columns.forEach((name, c) -> columns.put(name.equals(from) ? to : name,
                    name.equals(from) ? new Column(to, c.type(), c.nullable(), c.sourceType()) : c));
            t.columns.clear();
            t.columns.putAll(columns);
            t.rows.replaceAll((k, stored) -> {
                Map<String, Object> values = new LinkedHashMap<>();
                stored.values().forEach((name, v) -> values.put(name.equals(from) ? to : name, v));
                return new Stored(values, stored.version(), stored.deleted());
            });
            ddl.add("RENAME COLUMN " + target + "." + from + " TO " + to);
        });
        return true;
    }

    @Override
    public synchronized boolean renameTable(String from, String to) {
        maybeFail("rename " + from);
        boolean hasFrom = targets.containsKey(from);
        boolean hasTo = targets.containsKey(to);
        if (hasFrom == hasTo) {
            return false; // both there (the new name is taken), or neither
        }
        if (hasFrom) {
            targets.put(to, targets.remove(from));
            ddl.add("RENAME " + from + " TO " + to);
        }
        return true;
    }

    // ================================================================ inspection

    /** The final view projected on {@code as}'s columns (missing ones null), keyed by its key. */
    public synchronized Map<RowKey, Row> finalView(String target, TableSchema as) {
        Target t = require(target);
        Map<RowKey, Row> out = new LinkedHashMap<>();
        int[] keys = as.keyIndexes();
        for (Stored s : t.rows.values()) {
            if (!s.deleted()) {
                Row r = project(s, as);
                out.put(r.key(keys), r);
            }
        }
        return out;
    }

    /** A multiset target's rows, each as often as its +1/−1 images add up, as column-name maps. */
    public synchronized List<Map<String, Object>> multisetRows(String target) {
        Target t = require(target);
        Map<Map<String, Object>, Long> counts = new LinkedHashMap<>();
        for (Stored s : t.rows.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (String c : t.columns.keySet()) {
                m.put(c, s.values().get(c));
            }
            counts.merge(m, s.deleted() ? -1L : 1L, Long::sum);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        counts.forEach((row, n) -> {
            for (long i = 0; i < n; i++) {
                out.add(row);
            }
        });
        return out;
    }

    /** The final view as column-name maps in the target's column order. */
    public synchronized List<Map<String, Object>> finalRows(String target) {
        Target t = require(target);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Stored s : t.rows.values()) {
            if (!s.deleted()) {
                Map<String, Object> m = new LinkedHashMap<>();
                for (String c : t.columns.keySet()) {
                    m.put(c, s.values().get(c));
                }
                out.add(m);
            }
        }
        return out;
    }

    /** The winning version stored for {@code key} (deleted or not). */
    public synchronized Optional<RowVersion> storedVersion(String target, RowKey key) {
        Stored s = require(target).rows.get(key);
        return s == null ? Optional.empty() : Optional.of(s.version());
    }

    public synchronized boolean exists(String target) {
        return targets.containsKey(target);
    }

    public synchronized List<String> columnNames(String target) {
        return List.copyOf(require(target).columns.keySet());
    }

    /** Records the switch in {@link #ddl()}; deleted rows stay (the final view is the same either way). */
    @Override
    public synchronized void allowPurge(String target, boolean allowed) {
        maybeFail("allow purge of " + target);
        require(target);
        ddl.add((allowed ? "PURGE ON " : "PURGE OFF ") + target);
    }

    public synchronized List<String> ddl() {
        return List.copyOf(ddl);
    }

    public synchronized long rowsWritten() {
        return rowsWritten;
    }

    public synchronized int writeCalls() {
        return writeCalls;
    }

    public synchronized int currentRowsCalls() {
        return currentRowsCalls;
    }

    public synchronized int truncateCalls() {
        return truncateCalls;
    }

    /** Calls that failed because of {@link #failNextCalls}. */
    public synchronized int failedCalls() {
        return failedCalls;
    }

    /** Like a sink whose drop-column policy is DROP: ensureTable removes non-key columns the schema lacks. */
    public synchronized void dropMissingColumns(boolean enabled) {
        this.dropMissingColumns = enabled;
    }

    /** The next {@code n} calls (of any method) throw {@link SinkUnavailableException}. */
    public synchronized void failNextCalls(int n) {
        failuresLeft += n;
    }

    /** Every write to {@code target} throws {@code error} until {@link #heal}. */
    public synchronized void failWritesTo(String target, RuntimeException error) {
        poisoned.put(target, error);
    }

    public synchronized void heal(String target) {
        poisoned.remove(target);
    }

    // ================================================================ internals

    private void maybeFail(String what) {
        if (failuresLeft > 0) {
            failuresLeft--;
            failedCalls++;
            throw SinkUnavailableException.of(what, new IllegalStateException("injected outage"));
        }
    }

    private Target require(String target) {
        Target t = targets.get(target);
        if (t == null) {
            throw io.echodb.core.port.out.TargetMissingException.of(target, "not in the in-memory target");
        }
        return t;
    }

    private static int[] keyIndexes(Target t, TableSchema schema, String target) {
        int[] idx = new int[t.keys.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = schema.indexOf(t.keys.get(i));
            if (idx[i] < 0) {
                throw new IllegalStateException("key column " + t.keys.get(i) + " of " + target + " missing from the rows");
            }
        }
        return idx;
    }

    private static Row project(Stored s, TableSchema as) {
        Object[] v = new Object[as.columns().size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = s.values().get(as.columns().get(i).name());
        }
        return Row.wrap(v);
    }
}
