package io.echodb.core.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.schema.Column;
import io.echodb.core.schema.ColumnType;
import io.echodb.core.schema.ReplicaIdentity;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.TableSchema;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A renamed table keeps its mirror and its target's rows: nothing is copied again (issue 11, DDL kept). */
class NativeMirrorEngineRenameTest {

    private final EngineFixture f = new EngineFixture();

    private TableRef table(String name, long relationId, int rows) {
        TableRef t = TableRef.of("public", name);
        f.source.createTable(new TableSchema(t, List.of(EngineFixture.ID, EngineFixture.NAME, EngineFixture.QTY),
                List.of("id"), ReplicaIdentity.DEFAULT, relationId));
        for (int i = 1; i <= rows; i++) {
            f.source.insert(t, Row.of((long) i, "row " + i, i));
        }
        return t;
    }

    /** A new engine mirroring {@code t}, its copy done. */
    private NativeMirrorEngine mirrored(TableRef t) {
        NativeMirrorEngine engine = f.newEngine();
        engine.create(EngineFixture.spec(t));
        f.settle(engine);
        return engine;
    }

    @Test
    void theMirrorFollowsTheTableAndChangesNamedEitherWayArrive() {
        TableRef users = table("users", 41, 20);
        NativeMirrorEngine engine = mirrored(users);
        long copied = f.sink.rowsWritten();

        // Written before the rename, still in the stream under the old name when the mirror is renamed.
        f.source.insert(users, Row.of(21L, "before", 21));
        TableRef customers = TableRef.of("public", "customers");
        f.source.renameTable(users, customers);
        f.source.insert(customers, Row.of(22L, "after", 22));
        f.source.delete(customers, 1L);

        var renamed = engine.rename(new MirrorName("users_mirror"), EngineFixture.spec(customers));
        f.settle(engine);

        assertThat(renamed).isPresent();
        assertThat(renamed.get().name().value()).isEqualTo("customers_mirror");
        assertThat(f.sink.ddl()).containsExactly(f.sink.ddl().get(0), "RENAME users TO customers");
        assertThat(f.sink.exists("users")).isFalse();
        f.assertMirroredInto(customers, "customers");
        assertThat(f.sink.rowsWritten() - copied).as("only the three changes, nothing copied again").isEqualTo(3);
        assertThat(f.store.get(new MirrorName("users_mirror"))).isNull();
        assertThat(f.store.get(new MirrorName("customers_mirror")).spec().source()).isEqualTo(customers);
        assertThat(engine.status(new MirrorName("customers_mirror")).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);

        // After a restart the renamed mirror goes on from its record.
        engine.close();
        NativeMirrorEngine restarted = f.newEngine();
        f.source.insert(customers, Row.of(23L, "restarted", 23));
        f.settle(restarted);
        f.assertMirroredInto(customers, "customers");
    }

    @Test
    void theStatusNamesTheRelationTheMirrorFollows() {
        TableRef users = table("users", 41, 3);
        NativeMirrorEngine engine = mirrored(users);

        assertThat(engine.status(new MirrorName("users_mirror")).orElseThrow().relationId()).isEqualTo(41);
    }

    /**
     * A table renamed to a name no mirror wants (excluded) loses its mirror; the relation must leave the publication
     * under its new name, or its UPDATEs and DELETEs fail once it loses its key (I2). Before, the drop removed the old
     * name, which no longer existed (schema chaos seed 11771441's swap left the old relation published).
     */
    @Test
    void droppingTheMirrorOfARenamedTableUnpublishesTheRelationUnderItsNewName() {
        TableRef users = table("users", 41, 3);
        NativeMirrorEngine engine = mirrored(users);
        engine.create(EngineFixture.spec(table("orders", 42, 3))); // the publication outlives the users mirror
        f.settle(engine);
        TableRef renamed = TableRef.of("public", "temp_users");
        f.source.renameTable(users, renamed);
        assertThat(f.source.isPublished(renamed)).isTrue();

        engine.drop(new MirrorName("users_mirror"), false);

        assertThat(f.source.isPublished(renamed)).isFalse();
    }

    /** In a swap the old name is the other table's: dropping one mirror leaves the other mirror's relation published. */
    @Test
    void droppingOneMirrorOfASwapLeavesTheOtherTablesRelationPublished() {
        TableRef a = table("a", 41, 3);
        TableRef b = table("b", 42, 3);
        NativeMirrorEngine engine = mirrored(a);
        engine.create(EngineFixture.spec(b));
        f.settle(engine);
        TableRef scratch = TableRef.of("public", "scratch");
        f.source.renameTable(a, scratch);
        f.source.renameTable(b, a);
        f.source.renameTable(scratch, b);

        engine.drop(new MirrorName("a_mirror"), false);

        assertThat(f.source.isPublished(a)).as("relation 42, now called a, still mirrored by b_mirror").isTrue();
        assertThat(f.source.isPublished(b)).as("relation 41, now called b, no longer mirrored").isFalse();
    }

    /**
     * Schema chaos seed 978150693, round 56: a new leader replays changes the stream still names the old way after its
     * mirror followed the rename. A change buffered under the new name, then a Relation message of the old name with an
     * added column, then a row of the new width: the new shape must reach the buffer the mirror writes through.
     */
    @Test
    void aColumnAddedBeforeTheRenameReachesTheMirrorThatFollowedIt() {
        TableRef users = table("users", 41, 20);
        NativeMirrorEngine engine = mirrored(users);

        f.source.insert(users, Row.of(21L, "before the new column", 21));
        f.source.addColumn(users, Column.of("extra", ColumnType.TEXT, true));
        f.source.update(users, Row.of(21L, "with the new column", 21, "x"));
        TableRef customers = TableRef.of("public", "customers");
        f.source.renameTable(users, customers);
        // The mirror follows the rename before the stream has read any of the changes above.
        assertThat(engine.rename(new MirrorName("users_mirror"), EngineFixture.spec(customers))).isPresent();
        f.settle(engine);

        assertThat(engine.status(new MirrorName("customers_mirror")).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
        f.assertMirroredInto(customers, "customers");
    }

    @Test
    void aRewriteMarkerCopiesTheTableAgainAlsoWhenTheMirrorFollowedARenameSince() {
        TableRef users = table("users", 41, 20);
        NativeMirrorEngine engine = mirrored(users);
        int copies = f.source.snapshotsOpened();

        // ADD COLUMN ... DEFAULT: rows change without row changes; then the table is renamed and its mirror follows
        // before anything else handled the DDL (the outbox names the table as it was).
        f.source.begin().rewriteMarker(users, "ADD COLUMN with a default").commit();
        f.source.rewriteWithoutChanges(users, Row.of(1L, "default filled", 1));
        TableRef customers = TableRef.of("public", "customers");
        f.source.renameTable(users, customers);
        engine.rename(new MirrorName("users_mirror"), EngineFixture.spec(customers));
        f.settle(engine);

        assertThat(f.source.snapshotsOpened()).as("copied again for the marker").isEqualTo(copies + 1);
        f.assertMirroredInto(customers, "customers");
        assertThat(engine.status(new MirrorName("customers_mirror")).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
    }

    @Test
    void aRenamedColumnKeepsItsValuesAndChangesOnBothSidesOfTheRenameLand() {
        TableRef users = table("users", 41, 20);
        NativeMirrorEngine engine = mirrored(users);
        long copied = f.sink.rowsWritten();

        f.source.begin().set(users, io.echodb.core.schema.RowKey.of(1L), java.util.Map.of("name", "before"))
                .renameColumn(users, "name", "full_name")
                .insert(users, Row.of(21L, "after", 21)).commit();
        f.source.begin().set(users, io.echodb.core.schema.RowKey.of(2L), java.util.Map.of("full_name", "later")).commit();
        engine.drain();

        assertThat(f.sink.columnNames("users")).contains("full_name").doesNotContain("name");
        assertThat(f.sink.ddl()).contains("RENAME COLUMN users.name TO full_name");
        f.assertMirrored(users);
        assertThat(f.sink.rowsWritten() - copied).as("the three changes, nothing copied again").isEqualTo(3);
        assertThat(engine.status(new MirrorName("users_mirror")).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
    }

    @Test
    void aColumnRenamedWhileTheTableIsCopiedRestartsTheCopy() {
        TableRef users = table("users", 41, 5);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(EngineFixture.spec(users));
        f.source.begin().renameColumn(users, "qty", "quantity").commit();
        engine.drain();
        f.settle(engine);

        assertThat(f.sink.columnNames("users")).contains("quantity");
        f.assertMirrored(users);
    }

    @Test
    void anotherTableUnderTheNewNameIsNotFollowed() {
        TableRef users = table("users", 41, 3);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(EngineFixture.spec(users));
        f.settle(engine);
        TableRef other = table("other", 42, 1);

        assertThat(engine.rename(new MirrorName("users_mirror"), EngineFixture.spec(other))).isEmpty();
        assertThat(f.sink.ddl()).doesNotContain("RENAME users TO other");
        assertThat(engine.status(new MirrorName("users_mirror"))).isPresent();
    }

    @Test
    void aMirrorStillCopyingIsNotRenamedInPlace() {
        TableRef users = table("users", 41, 3);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(EngineFixture.spec(users));
        TableRef customers = TableRef.of("public", "customers");
        f.source.renameTable(users, customers);

        assertThat(engine.rename(new MirrorName("users_mirror"), EngineFixture.spec(customers))).isEmpty();
    }

    @Test
    void aTakenTargetNameIsRefusedWithoutChangingAnything() {
        TableRef users = table("users", 41, 3);
        NativeMirrorEngine engine = f.newEngine();
        engine.create(EngineFixture.spec(users));
        f.settle(engine);
        TableRef customers = TableRef.of("public", "customers");
        f.source.renameTable(users, customers);
        f.sink.ensureTable("customers", f.source.schema(customers)); // left behind by an earlier mirror

        assertThat(engine.rename(new MirrorName("users_mirror"), new MirrorSpec(new MirrorName("customers_mirror"),
                customers, "customers"))).isEmpty();
        assertThat(f.store.get(new MirrorName("users_mirror"))).isNotNull();
        assertThat(f.sink.exists("users")).isTrue();
    }
}
