package io.echodb.adapters.postgres.ddl;

import java.util.List;
import java.util.Objects;

/**
 * One table as the catalog sweep sees it: live from {@code pg_class}/{@code pg_attribute}, or as last recorded in
 * {@code known_tables}. The three sweep fields ({@code columnTypes}, {@code fileNode}, {@code identityProblem}) are null
 * when a recorded row does not know them yet (recorded by the event triggers, or before the sweep existed): nothing is
 * compared then, the sweep only records them.
 *
 * @param oid             the table's OID: what identifies it across renames
 * @param partitioned     a partitioned table (relkind p), whose rows live in its partitions
 * @param rootOid         the partition root, for a partition; else null
 * @param missingAttnums  columns whose existing rows read a default nobody wrote ({@code atthasmissing})
 * @param attnums         live column numbers, ascending; {@code names} and {@code columnTypes} are parallel to them
 * @param droppedNames    every column name dropped so far (only recorded rows carry them)
 * @param columnTypes     per column: {@code format_type} and, for enums, {@code oid=md5(label)} per value
 * @param fileNode        {@code relfilenode}: a new one means the rows were rewritten; 0 for partitioned tables
 * @param identityProblem why the replica identity is unusable, '' when it is usable
 * @param attnumsAllocated {@code relnatts}: column numbers handed out so far, dropped columns included (a sweep field,
 *                         null when not known); numbers handed out since the last sweep but not live now are columns
 *                         added and dropped in between, unseen by name
 */
record CatalogTable(long oid, String schema, String name, boolean partition, boolean partitioned, Long rootOid,
                    List<Integer> missingAttnums, List<Integer> attnums, List<String> names, List<String> droppedNames,
                    List<String> columnTypes, Long fileNode, String identityProblem, Integer attnumsAllocated) {

    CatalogTable {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
        missingAttnums = List.copyOf(missingAttnums);
        attnums = List.copyOf(attnums);
        names = List.copyOf(names);
        droppedNames = List.copyOf(droppedNames);
        columnTypes = columnTypes == null ? null : List.copyOf(columnTypes);
        if (names.size() != attnums.size() || (columnTypes != null && columnTypes.size() != attnums.size())) {
            throw new IllegalArgumentException("table " + schema + "." + name + ": column lists of different lengths");
        }
    }

    /** A table whose allocated column numbers are not known (recorded by the event triggers, or by an older sweep). */
    CatalogTable(long oid, String schema, String name, boolean partition, boolean partitioned, Long rootOid,
                 List<Integer> missingAttnums, List<Integer> attnums, List<String> names, List<String> droppedNames,
                 List<String> columnTypes, Long fileNode, String identityProblem) {
        this(oid, schema, name, partition, partitioned, rootOid, missingAttnums, attnums, names, droppedNames, columnTypes,
                fileNode, identityProblem, null);
    }

    boolean sameName(CatalogTable other) {
        return schema.equals(other.schema) && name.equals(other.name);
    }

    boolean hasName(String otherSchema, String otherName) {
        return schema.equals(otherSchema) && name.equals(otherName);
    }

    /** This live table as recorded after a sweep, with every column name dropped so far. */
    CatalogTable withDroppedNames(List<String> dropped) {
        return new CatalogTable(oid, schema, name, partition, partitioned, rootOid, missingAttnums, attnums, names, dropped,
                columnTypes, fileNode, identityProblem, attnumsAllocated);
    }

    /** True when both would be recorded alike ({@code partitioned} is not recorded: it is read live when needed). */
    boolean recordedAlike(CatalogTable other) {
        return withPartitioned(false).equals(other.withPartitioned(false));
    }

    private CatalogTable withPartitioned(boolean value) {
        return new CatalogTable(oid, schema, name, partition, value, rootOid, missingAttnums, attnums, names, droppedNames,
                columnTypes, fileNode, identityProblem, attnumsAllocated);
    }

    String qualifiedName() {
        return schema + "." + name;
    }
}
