package io.echodb.adapters.postgres.ddl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The catalog sweep's diff: which events a change between two sweeps produces, and in which order. */
class CatalogDiffTest {

    private static final String INT = "23:-1";
    private static final String TEXT = "25:-1";

    private static CatalogTable table(long oid, String name, List<Integer> attnums, List<String> names, List<String> types) {
        return new CatalogTable(oid, "public", name, false, false, null, List.of(), attnums, names, List.of(), types, oid, ""); // a new table's file is numbered like the table
    }

    private static CatalogTable simple(long oid, String name) {
        return table(oid, name, List.of(1, 2), List.of("id", "v"), List.of(INT, TEXT));
    }

    private static List<String> steps(List<CatalogTable> known, List<CatalogTable> live) {
        List<String> out = new ArrayList<>();
        for (SweepStep s : CatalogDiff.between(known, live).steps()) {
            if (s instanceof SweepStep.Emit e) {
                out.add(e.eventType() + " " + e.table() + (e.oldName() == null ? "" : " from " + e.oldName()));
            } else if (s instanceof SweepStep.EmitRewrite r) {
                out.add("rewrite " + r.oid() + ": " + r.reason().replace(" (seen by the catalog sweep)", ""));
            } else if (s instanceof SweepStep.WatchPartitions w) {
                out.add("watch " + w.rootOid());
            }
        }
        return out;
    }

    @Test
    void nothingChangedMeansNothingToDoOrRecord() {
        CatalogDiff.Outcome o = CatalogDiff.between(List.of(simple(1, "a")), List.of(simple(1, "a")));
        assertThat(o.steps()).isEmpty();
        assertThat(o.recorded()).isEmpty();
        assertThat(o.changed()).isFalse();
    }

    @Test
    void createdDroppedAndRenamedTables() {
        assertThat(steps(List.of(simple(1, "a"), simple(2, "b")), List.of(simple(2, "b2"), simple(3, "c"))))
                .containsExactly("dropped a", "renamed b2 from b", "created c");
        CatalogDiff.Outcome o = CatalogDiff.between(List.of(simple(1, "a")), List.of());
        assertThat(o.forgotten()).containsExactly(1L);
    }

    @Test
    void aSwapOfNamesIsReportedAsDropsThenCreationsSoThatFoldingByNameStaysRight() {
        assertThat(steps(List.of(simple(1, "a"), simple(2, "b")), List.of(simple(1, "b"), simple(2, "a"))))
                .containsExactly("dropped a", "dropped b", "created b", "created a");
        // renamed away, and a new table took the old name
        assertThat(steps(List.of(simple(1, "a")), List.of(simple(1, "a_old"), simple(2, "a"))))
                .containsExactly("dropped a", "created a_old", "created a");
    }

    @Test
    void columnChangesThatLeaveUnsentValuesMakeTheTableCopyAgain() {
        CatalogTable before = simple(1, "t");
        assertThat(steps(List.of(before), List.of(table(1, "t", List.of(1, 2), List.of("id", "w"), List.of(INT, TEXT)))))
                .containsExactly("altered t", "rewrite 1: RENAME COLUMN v -> w");
        assertThat(steps(List.of(before), List.of(table(1, "t", List.of(1, 2), List.of("id", "v"), List.of(INT, "1043:14")))))
                .containsExactly("altered t", "rewrite 1: type of v changed");
        CatalogTable withDefault = new CatalogTable(1, "public", "t", false, false, null, List.of(3), List.of(1, 2, 3),
                List.of("id", "v", "d"), List.of(), List.of(INT, TEXT, INT), 1L, "");
        assertThat(steps(List.of(before), List.of(withDefault)))
                .containsExactly("altered t", "rewrite 1: ADD COLUMN with a default");
        // a plain ADD COLUMN and DROP COLUMN change the shape only: the stream's Relation messages carry it
        assertThat(steps(List.of(before), List.of(table(1, "t", List.of(1, 2, 3), List.of("id", "v", "x"),
                List.of(INT, TEXT, INT))))).containsExactly("altered t");
    }

    @Test
    void aColumnAddedAgainUnderADroppedNameIsACopy() {
        CatalogTable before = simple(1, "t");
        CatalogTable dropped = table(1, "t", List.of(1), List.of("id"), List.of(INT));
        CatalogDiff.Outcome first = CatalogDiff.between(List.of(before), List.of(dropped));
        assertThat(first.recorded()).singleElement().satisfies(r -> assertThat(r.droppedNames()).containsExactly("v"));
        assertThat(steps(first.recorded(), List.of(table(1, "t", List.of(1, 3), List.of("id", "v"), List.of(INT, INT)))))
                .containsExactly("altered t", "rewrite 1: column v added again after a drop");
    }

    private static CatalogTable allocated(List<Integer> attnums, List<String> names, int relnatts) {
        List<String> types = names.stream().map(n -> n.equals("id") ? INT : TEXT).toList();
        return new CatalogTable(1, "public", "t", false, false, null, List.of(), attnums, names, List.of(), types, 1L, "",
                relnatts);
    }

    @Test
    void aColumnAddedAndDroppedBetweenTwoSweepsIsACopyWhateverIsLiveNow() {
        CatalogTable before = allocated(List.of(1, 2), List.of("id", "v"), 2);
        // added (3), dropped, added again under the same name and type (4): nothing else tells it from "added"
        assertThat(steps(List.of(before), List.of(allocated(List.of(1, 2, 4), List.of("id", "v", "w"), 4))))
                .containsExactly("altered t", "rewrite 1: a column added and dropped again since the last sweep");
        // added and dropped, nothing added since: its values stay in the target's kept column for a later re-add
        assertThat(steps(List.of(before), List.of(allocated(List.of(1, 2), List.of("id", "v"), 3))))
                .containsExactly("altered t", "rewrite 1: a column added and dropped again since the last sweep");
        // columns added, or one the last sweep knew dropped: the stream's Relation messages carry those
        assertThat(steps(List.of(before), List.of(allocated(List.of(1, 2, 3, 4), List.of("id", "v", "w", "x"), 4))))
                .containsExactly("altered t");
        assertThat(steps(List.of(before), List.of(allocated(List.of(1), List.of("id"), 2)))).containsExactly("altered t");
        // not known on one side (recorded by the event triggers or an older sweep): nothing compared, only recorded
        CatalogDiff.Outcome unknown = CatalogDiff.between(List.of(simple(1, "t")), List.of(allocated(List.of(1, 2),
                List.of("id", "v"), 7)));
        assertThat(unknown.steps()).isEmpty();
        assertThat(unknown.recorded()).singleElement().satisfies(r -> assertThat(r.attnumsAllocated()).isEqualTo(7));
    }

    @Test
    void aTableFirstSeenAfterDdlThatChangedItsValuesIsCreatedAndRewritten() {
        CatalogTable fresh = new CatalogTable(5, "public", "t", false, false, null, List.of(), List.of(1, 2),
                List.of("id", "v"), List.of(), List.of(INT, TEXT), 5L, "", 2);
        assertThat(steps(List.of(), List.of(fresh))).containsExactly("created t");
        CatalogTable rewritten = new CatalogTable(5, "public", "t", false, false, null, List.of(), List.of(1, 2),
                List.of("id", "v"), List.of(), List.of(INT, TEXT), 9L, "", 2);
        assertThat(steps(List.of(), List.of(rewritten)))
                .containsExactly("created t", "rewrite 5: storage rewritten since it was created");
        CatalogTable dropped = new CatalogTable(5, "public", "t", false, false, null, List.of(3), List.of(1, 3),
                List.of("id", "w"), List.of(), List.of(INT, INT), 5L, "", 3);
        assertThat(steps(List.of(), List.of(dropped))).containsExactly("created t",
                "rewrite 5: a column dropped since it was created; ADD COLUMN with a default since it was created");
    }

    @Test
    void enumValuesRenamedCopyAgainButValuesAddedDoNot() {
        String mood = "16400:-1:16401=aa,16402=bb";
        CatalogTable before = table(1, "t", List.of(1), List.of("m"), List.of(mood));
        assertThat(steps(List.of(before), List.of(table(1, "t", List.of(1), List.of("m"), List.of(mood + ",16403=cc")))))
                .containsExactly("altered t");
        assertThat(steps(List.of(before), List.of(table(1, "t", List.of(1), List.of("m"), List.of("16400:-1:16401=zz,16402=bb")))))
                .containsExactly("altered t", "rewrite 1: type of m changed");
    }

    @Test
    void aNewStorageFileIsARewrite() {
        CatalogTable rewritten = new CatalogTable(1, "public", "t", false, false, null, List.of(), List.of(1, 2),
                List.of("id", "v"), List.of(), List.of(INT, TEXT), 999L, "");
        assertThat(steps(List.of(simple(1, "t")), List.of(rewritten))).hasSize(2).last().asString()
                .startsWith("rewrite 1: storage rewritten");
    }

    @Test
    void aLostReplicaIdentityIsAnAlterationThatRunsTheGuard() {
        CatalogTable keyless = new CatalogTable(1, "public", "t", false, false, null, List.of(), List.of(1, 2),
                List.of("id", "v"), List.of(), List.of(INT, TEXT), 1L, "has no primary key");
        CatalogDiff.Outcome o = CatalogDiff.between(List.of(simple(1, "t")), List.of(keyless));
        assertThat(steps(List.of(simple(1, "t")), List.of(keyless))).containsExactly("altered t");
        assertThat(o.changed()).isTrue();
    }

    @Test
    void rowsRecordedByTheTriggersAreOnlyRecordedUntilTheirTypesAreKnown() {
        CatalogTable byTrigger = new CatalogTable(1, "public", "t", false, false, null, List.of(), List.of(1, 2),
                List.of("id", "v"), List.of(), null, null, null);
        CatalogDiff.Outcome o = CatalogDiff.between(List.of(byTrigger), List.of(table(1, "t", List.of(1, 2),
                List.of("id", "v"), List.of(INT, "1043:14"))));
        assertThat(o.steps()).isEmpty();
        assertThat(o.recorded()).singleElement().satisfies(r -> assertThat(r.columnTypes()).isNotNull());
    }

    @Test
    void partitionsAttachedDetachedCreatedAndDroppedTouchTheirRoot() {
        CatalogTable root = new CatalogTable(10, "public", "root", false, true, null, List.of(), List.of(1), List.of("id"),
                List.of(), List.of(INT), 0L, "");
        CatalogTable standalone = new CatalogTable(11, "public", "p1", false, false, null, List.of(), List.of(1),
                List.of("id"), List.of(), List.of(INT), 111L, "");
        CatalogTable attached = new CatalogTable(11, "public", "p1", true, false, 10L, List.of(), List.of(1),
                List.of("id"), List.of(), List.of(INT), 111L, "");
        assertThat(steps(List.of(root, standalone), List.of(root, attached)))
                .containsExactly("altered p1", "rewrite 11: partition public.p1 attached", "watch 10");
        assertThat(steps(List.of(root, attached), List.of(root, standalone)))
                .containsExactly("altered p1", "rewrite 10: partition public.p1 detached");
        assertThat(steps(List.of(root, attached), List.of(root)))
                .containsExactly("dropped p1", "rewrite 10: partition public.p1 dropped");
        assertThat(steps(List.of(), List.of(root))).containsExactly("created root", "watch 10");
    }
}
