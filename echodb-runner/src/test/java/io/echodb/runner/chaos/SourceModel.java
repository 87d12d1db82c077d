package io.echodb.runner.chaos;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the generator believes the source database holds: tables, their columns and the keys of their rows (not the
 * values: the invariant checks read both databases, never this model). It exists so that every generated statement is
 * valid (no duplicate keys, no unknown columns); it is updated as statements are generated and restored for
 * transactions the generator rolls back.
 */
final class SourceModel {

    /** How a table is keyed. Every table has a bigint column {@code id}, unique by construction. */
    enum Kind {
        /** PRIMARY KEY (id). */
        PLAIN,
        /** PRIMARY KEY (region, id), region = 'r' || id % 3. */
        COMPOSITE,
        /** No primary key and no replica identity: mirrored as a multiset (KEYLESS_TABLES=full sets REPLICA IDENTITY FULL). */
        KEYLESS,
        /** No primary key, REPLICA IDENTITY FULL, with a unique index on id ({@link Table#uniqueIndex}) or as a multiset. */
        FULL,
        /** LIST-partitioned by region (partitions name_p0..name_p2), PRIMARY KEY (region, id). */
        PARTITIONED,
        /** A partition detached from its PARTITIONED parent: a plain table with PRIMARY KEY (region, id). */
        DETACHED
    }

    /** What invariant I3 expects of a table's mirror once things settle. */
    enum Expect {
        RUNNING,
        /** UNSUPPORTED or FAILED, with a reason. */
        NOT_RUNNING,
        /** Any settled state (RUNNING is then held to I1 like every other). */
        ANY
    }

    static final class Col {
        final String name;
        ChaosType type;
        final boolean notNull;
        /** Added by ALTER TABLE ... ADD COLUMN with NOT NULL (Nullable in ClickHouse all the same). */
        boolean addedNotNull;

        Col(String name, ChaosType type, boolean notNull) {
            this.name = name;
            this.type = type;
            this.notNull = notNull;
        }

        Col copy() {
            Col c = new Col(name, type, notNull);
            c.addedNotNull = addedNotNull;
            return c;
        }
    }

    static final class Table {
        final String schema;
        String name;
        Kind kind;
        /** Non-key columns in table order (id, region and big are implicit). */
        final List<Col> cols = new ArrayList<>();
        final TreeSet<Long> ids = new TreeSet<>();
        /** Keys whose big (TOAST) value is not NULL. */
        final TreeSet<Long> bigIds = new TreeSet<>();
        /** Recently deleted keys, to insert again. */
        final Deque<Long> deleted = new ArrayDeque<>();
        long nextId = 1;
        boolean big;
        Expect expect = Expect.RUNNING;
        String pkName;
        int colCounter;
        /** The round in which a copy of this table may have been running (created, re-created, resynced, fault). */
        int copyRound = -1;
        /** PARTITIONED: residues (0..2) whose partition is attached; DETACHED: its single residue. */
        final TreeSet<Integer> residues = new TreeSet<>();
        /** DETACHED: the parent it was detached from. */
        String parent;
        /** FULL: the name of a unique index on id, or null. */
        String uniqueIndex;
        /** The round in which the table (or one of its partitions) was last truncated. */
        int truncatedRound = -1;
        /**
         * The first type every column name ever had in this table and its earlier generations (ClickHouse keeps dropped
         * columns with their type): a same-shape re-create only keeps columns still of that type.
         */
        final Map<String, ChaosType> firstType = new LinkedHashMap<>();

        Table(String schema, String name, Kind kind) {
            this.schema = schema;
            this.name = name;
            this.kind = kind;
        }

        boolean watched() {
            return schema.equals("public") && !name.startsWith("temp_");
        }

        boolean composite() {
            return kind == Kind.COMPOSITE || kind == Kind.PARTITIONED || kind == Kind.DETACHED;
        }

        boolean hasKey() {
            return kind != Kind.KEYLESS && kind != Kind.FULL;
        }

        /** Whether columns may be added, dropped or changed (partitions must keep their parent's shape). */
        boolean columnDdlAllowed() {
            return kind != Kind.PARTITIONED && kind != Kind.DETACHED;
        }

        boolean residueAllowed(long id) {
            return !(kind == Kind.PARTITIONED || kind == Kind.DETACHED) || residues.contains((int) (id % 3));
        }

        String partition(int residue) {
            return name + "_p" + residue;
        }

        Table copy() {
            Table t = new Table(schema, name, kind);
            cols.forEach(c -> t.cols.add(c.copy()));
            t.ids.addAll(ids);
            t.bigIds.addAll(bigIds);
            t.deleted.addAll(deleted);
            t.nextId = nextId;
            t.big = big;
            t.expect = expect;
            t.pkName = pkName;
            t.colCounter = colCounter;
            t.copyRound = copyRound;
            t.residues.addAll(residues);
            t.parent = parent;
            t.uniqueIndex = uniqueIndex;
            t.truncatedRound = truncatedRound;
            t.firstType.putAll(firstType);
            return t;
        }

        String qualified() {
            return SourceModel.ident(schema) + "." + SourceModel.ident(name);
        }

        @Override
        public String toString() {
            return schema + "." + name + " (" + kind + ", " + ids.size() + " rows)";
        }
    }

    /** Every table the generator made, by name (qualified as schema.name). */
    final Map<String, Table> tables = new LinkedHashMap<>();
    int nameCounter;

    SourceModel copy() {
        SourceModel m = new SourceModel();
        tables.forEach((k, v) -> m.tables.put(k, v.copy()));
        m.nameCounter = nameCounter;
        return m;
    }

    void restore(SourceModel saved) {
        tables.clear();
        tables.putAll(saved.tables);
        nameCounter = saved.nameCounter;
    }

    void add(Table t) {
        tables.put(t.schema + "." + t.name, t);
    }

    void remove(Table t) {
        tables.remove(t.schema + "." + t.name);
    }

    void rename(Table t, String newName) {
        remove(t);
        t.name = newName;
        add(t);
    }

    List<Table> all() {
        return new ArrayList<>(tables.values());
    }

    List<Table> watched() {
        return tables.values().stream().filter(Table::watched).toList();
    }

    static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
