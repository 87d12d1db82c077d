package io.echodb.core.service;

import static io.echodb.core.service.World.mirror;
import static io.echodb.core.service.World.pub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.model.MirrorState;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.core.testing.InMemoryDdlEventSource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AutoMirrorTest {

    private final World world = new World();

    @Test
    void aTableCreatedInAWatchedSchemaIsMirroredAndTheEventAcknowledged() {
        long position = world.create(pub("users")).position();

        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(result.created()).isEqualTo(1);
        assertThat(result.acknowledged()).isTrue();
        assertThat(result.position()).isEqualTo(position);
        assertThat(world.events.acknowledgedPosition()).isEqualTo(position);
        MirrorStatus status = world.mirrors.status(mirror("users_mirror")).orElseThrow();
        assertThat(status.spec().source()).isEqualTo(pub("users"));
        assertThat(status.spec().targetTable()).isEqualTo("users");
        assertThat(world.metrics.snapshot(true).mirrorsCreated()).isEqualTo(1);
        assertThat(world.metrics.snapshot(true).ddlEventsHandled()).isEqualTo(1);
    }

    @Test
    void excludedTablesAreAcknowledgedAndIgnored() {
        world.create(pub("temp_import"));
        world.create(pub("spatial_ref_sys"));
        long last = world.create(pub("temp_")).position();

        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(world.mirrorNames()).isEmpty();
        assertThat(result.ignored()).isEqualTo(3);
        assertThat(world.events.acknowledgedPosition()).isEqualTo(last);
    }

    @Test
    void tablesOfUnwatchedSchemasAreAcknowledgedAndIgnored() {
        world.create(TableRef.of("audit", "log"));
        long last = world.create(TableRef.of("Public", "users")).position();

        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(world.mirrorNames()).isEmpty();
        assertThat(result.ignored()).isEqualTo(2);
        assertThat(world.events.acknowledgedPosition()).isEqualTo(last);
    }

    @Test
    void aDroppedTableLosesItsMirrorButKeepsItsTargetByDefault() {
        world.create(pub("users"));
        world.autoMirror().runOnce();
        world.drop(pub("users"));

        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(result.dropped()).isEqualTo(1);
        assertThat(world.mirrorNames()).isEmpty();
        assertThat(world.mirrors.droppedTargets()).isEmpty();
        assertThat(world.metrics.snapshot(true).mirrorsDropped()).isEqualTo(1);
    }

    @Test
    void theTargetTableIsDroppedToWhenConfigured() {
        world.create(pub("users"));
        world.autoMirror(100, true).runOnce();
        world.drop(pub("users"));

        world.autoMirror(100, true).runOnce();

        assertThat(world.mirrors.droppedTargets()).containsExactly("users");
    }

    @Test
    void aRenameDropsTheOldMirrorAndCreatesTheNewOne() {
        world.create(pub("users"));
        world.autoMirror().runOnce();
        world.rename(pub("users"), pub("customers"));

        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(result.dropped()).isEqualTo(1);
        assertThat(result.created()).isEqualTo(1);
        assertThat(world.mirrorNames()).containsExactly(mirror("customers_mirror"));
    }

    @Test
    void aMirrorFollowsItsRenamedTableWhenTheEngineCanAndNothingIsCreated() {
        world.mirrors.renamesInPlace(true);
        world.create(pub("users"));
        world.autoMirror().runOnce();
        world.mirrors.clearOperations();
        world.rename(pub("users"), pub("customers"));

        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(world.mirrors.operations()).containsExactly("rename users_mirror -> customers_mirror");
        assertThat(result.created()).isZero();
        assertThat(result.dropped()).isZero();
        MirrorStatus status = world.mirrors.status(mirror("customers_mirror")).orElseThrow();
        assertThat(status.spec().source()).isEqualTo(pub("customers"));
        assertThat(status.spec().targetTable()).isEqualTo("customers");
    }

    @Test
    void aTableMovedOutOfTheWatchedSchemasIsUnmirroredLikeADrop() {
        world.mirrors.renamesInPlace(true);
        world.create(pub("users"));
        world.autoMirror().runOnce();
        world.rename(pub("users"), TableRef.of("archive", "users"));

        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(result.dropped()).isEqualTo(1);
        assertThat(world.mirrorNames()).isEmpty();
    }

    @Test
    void aCreatedEventForATableWhoseMirrorFollowsAnotherRelationCreatesTheMirrorAgain() {
        world.mirrors.renamesInPlace(true);
        world.create(pub("t83"));
        world.createQuietly(pub("temp_t43"));
        world.autoMirror().runOnce();
        world.mirrors.clearOperations();
        // The swap through an excluded name, as a catalog sweep that never saw t83's old relation reports it: only
        // "created t83" (schema chaos seed 11771441, catalog capture, right after a leader change).
        world.catalog.renameTable(pub("temp_t43"), pub("t85"));
        world.catalog.renameTable(pub("t83"), pub("temp_t43"));
        world.catalog.renameTable(pub("t85"), pub("t83"));
        world.events.emitCreate(pub("t83"));

        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(world.mirrors.operations()).containsExactly("drop t83_mirror", "create t83_mirror");
        assertThat(result.dropped()).isEqualTo(1);
        assertThat(result.created()).isEqualTo(1);
        assertThat(world.mirrors.status(mirror("t83_mirror")).orElseThrow().relationId())
                .isEqualTo(world.catalog.relationOf(pub("t83")));
    }

    /**
     * After a leader change the new leader's first sweep may re-create the mirror of a table replaced under its name
     * before the DDL events say so; the events then change nothing (schema chaos: every such table was copied twice).
     */
    @Test
    void eventsOfAReplacementTheSweepAlreadyFollowedCopyNothingMore() {
        world.create(pub("t39"));
        world.create(pub("t40"));
        world.autoMirror().runOnce();
        world.drop(pub("t39"));
        world.create(pub("t39"));
        world.drop(pub("t40"));
        world.createQuietly(pub("t40")); // its create event comes in a later batch
        world.reconciler().reconcile();
        world.mirrors.clearOperations();

        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(world.mirrors.operations()).isEmpty();
        assertThat(result.dropped()).isZero();
        assertThat(world.mirrorNames()).containsExactly(mirror("t39_mirror"), mirror("t40_mirror"));
    }

    @Test
    void aRecreateEventStillCopiesAMirrorWhoseRelationIsNotKnown() {
        world.create(pub("users"));
        world.autoMirror().runOnce();
        world.mirrors.forgetRelations();
        world.drop(pub("users"));
        world.create(pub("users"));
        world.mirrors.clearOperations();

        world.autoMirror().runOnce();

        assertThat(world.mirrors.operations()).containsExactly("drop users_mirror", "create users_mirror");
    }

    @Test
    void tablesSwappedByRenamesInOneBatchAreCopiedAgainUnderTheirNewNames() {
        world.mirrors.renamesInPlace(true);
        world.create(pub("a"));
        world.create(pub("b"));
        world.autoMirror().runOnce();
        world.mirrors.clearOperations();
        world.rename(pub("a"), pub("tmp"));
        world.rename(pub("b"), pub("a"));
        world.rename(pub("tmp"), pub("b"));

        world.autoMirror().runOnce();

        assertThat(world.mirrors.operations()).containsExactlyInAnyOrder("drop a_mirror", "create a_mirror",
                "drop b_mirror", "create b_mirror");
    }

    @Test
    void renamingIntoAnExcludedNameOnlyDropsAndOutOfItOnlyCreates() {
        world.create(pub("users"));
        world.create(pub("temp_load"));
        world.autoMirror().runOnce();
        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));

        world.rename(pub("users"), pub("temp_users"));
        world.rename(pub("temp_load"), pub("loaded"));
        world.autoMirror().runOnce();

        assertThat(world.mirrorNames()).containsExactly(mirror("loaded_mirror"));
    }

    @Test
    void anAlteredTableWithAMirrorCausesNoEngineCall() {
        world.create(pub("users"));
        world.autoMirror().runOnce();
        world.mirrors.clearOperations();
        world.events.emitAlter(pub("users"));

        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(result.unchanged()).isEqualTo(1);
        assertThat(world.mirrors.operations()).isEmpty();
    }

    @Test
    void anAlteredWatchedTableWithoutAMirrorGetsOne() {
        world.createQuietly(pub("users"));
        world.events.emitAlter(pub("users"));

        world.autoMirror().runOnce();

        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));
    }

    @Test
    void creatingATableThatAlreadyHasAMirrorIsANoop() {
        world.existingMirror(pub("users"));
        world.mirrors.clearOperations();
        world.events.emitCreate(pub("users"));

        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(result.unchanged()).isEqualTo(1);
        assertThat(result.created()).isZero();
        assertThat(world.mirrors.operations()).isEmpty();
        assertThat(world.metrics.snapshot(true).mirrorsCreated()).isZero();
    }

    @Test
    void replayingAnAcknowledgedBatchChangesNothing() {
        world.create(pub("users"));
        world.create(pub("orders"));
        world.autoMirror().runOnce();
        world.mirrors.clearOperations();

        // A new leader whose cursor never saw the acknowledgement reads the same events again.
        InMemoryDdlEventSource staleCursor = new InMemoryDdlEventSource(world.clock);
        world.events.events().forEach(e -> staleCursor.emitCreate(e.table()));
        DdlBatchResult replay = new AutoMirror(staleCursor, world.catalog, world.mirrors, world.policy, world.metrics,
                new AutoMirror.Settings(100, Duration.ZERO, false)).runOnce();

        assertThat(replay.unchanged()).isEqualTo(2);
        assertThat(world.mirrors.operations()).isEmpty();
    }

    @Test
    void aScratchTableCreatedAndDroppedInOneBatchIsNeverMirrored() {
        world.create(pub("scratch"));
        world.drop(pub("scratch"));

        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(world.mirrors.operations()).isEmpty();
        assertThat(result.acknowledged()).isTrue();
    }

    @Test
    void aTableDroppedAndCreatedAgainInOneBatchIsMirroredAfresh() {
        world.create(pub("users"));
        world.autoMirror().runOnce();
        world.mirrors.clearOperations();
        world.drop(pub("users"));
        world.create(pub("users"));

        world.autoMirror().runOnce();

        assertThat(world.mirrors.operations()).containsExactly("drop users_mirror", "create users_mirror");
    }

    @Test
    void aRetryableEngineFailureLeavesTheBatchUnacknowledgedForTheNextRound() {
        world.create(pub("users"));
        world.mirrors.failNextCreate(pub("users"), MirrorEngineException.retryable("engine busy", null));

        DdlBatchResult first = world.autoMirror().runOnce();

        assertThat(first.acknowledged()).isFalse();
        assertThat(first.deferredReason()).contains("public.users").contains("engine busy");
        assertThat(world.events.acknowledgedPosition()).isZero();
        assertThat(world.mirrorNames()).isEmpty();
        assertThat(world.metrics.snapshot(true).lastError()).contains("public.users").contains("engine busy");

        DdlBatchResult second = world.autoMirror().runOnce();

        assertThat(second.acknowledged()).isTrue();
        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));
        assertThat(world.events.acknowledgedPosition()).isEqualTo(1);
    }

    @Test
    void anEngineOutageDefersTheWholeBatch() {
        world.create(pub("users"));
        world.mirrors.failWith(MirrorEngineException.retryable("connection refused", null));

        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(result.acknowledged()).isFalse();
        assertThat(world.events.acknowledgedPosition()).isZero();
    }

    @Test
    void aTransientSourceFailureInsideTheEngineIsRetryableToo() {
        world.create(pub("users"));
        world.mirrors.failNextCreate(pub("users"), SourceUnavailableException.of("publish table", null));

        assertThat(world.autoMirror().runOnce().acknowledged()).isFalse();
        assertThat(world.autoMirror().runOnce().acknowledged()).isTrue();
        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));
    }

    @Test
    void aFatalFailureForOneTableIsCountedAndTheRestOfTheBatchProceeds() {
        world.create(pub("broken"));
        long last = world.create(pub("users")).position();
        world.mirrors.failNextCreate(pub("broken"), MirrorEngineException.fatal("unsupported type xml", null));

        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(result.failed()).isEqualTo(1);
        assertThat(result.created()).isEqualTo(1);
        assertThat(result.acknowledged()).isTrue();
        assertThat(world.events.acknowledgedPosition()).isEqualTo(last);
        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));
        ControlPlaneStats stats = world.metrics.snapshot(true);
        assertThat(stats.mirrorsFailed()).isEqualTo(1);
        assertThat(stats.lastError()).contains("public.broken").contains("unsupported type xml");
        assertThat(stats.lastErrorAt()).isEqualTo(world.clock.instant());
    }

    @Test
    void anUnexpectedExceptionIsFatalForItsTableOnly() {
        world.create(pub("broken"));
        world.create(pub("users"));
        world.mirrors.failNextCreate(pub("broken"), new IllegalStateException("adapter bug"));

        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(result.failed()).isEqualTo(1);
        assertThat(result.acknowledged()).isTrue();
        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));
    }

    @Test
    void anUnreachableEventSourcePropagates() {
        world.create(pub("users"));
        world.events.failWith(SourceUnavailableException.of("read DDL events", null));

        assertThatThrownBy(() -> world.autoMirror().runOnce()).isInstanceOf(SourceUnavailableException.class);
        assertThat(world.mirrorNames()).isEmpty();
    }

    @Test
    void anUnsupportedMirrorIsRetriedWhenItsTableChanges() {
        world.createWithoutKey(pub("events"));
        world.autoMirror().runOnce();
        assertThat(world.mirrors.status(mirror("events_mirror")).orElseThrow().state()).isEqualTo(MirrorState.UNSUPPORTED);

        world.addPrimaryKey(pub("events"));
        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(result.created()).isEqualTo(1);
        assertThat(world.mirrors.status(mirror("events_mirror")).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
    }

    @Test
    void batchesAreReadFromTheAcknowledgedPositionAtMostBatchSizeAtATime() {
        for (String name : new String[] {"a", "b", "c", "d", "e"}) {
            world.create(pub(name));
        }
        AutoMirror autoMirror = world.autoMirror(2, false);

        assertThat(autoMirror.runOnce().position()).isEqualTo(2);
        assertThat(autoMirror.runOnce().position()).isEqualTo(4);
        DdlBatchResult last = autoMirror.runOnce();
        assertThat(last.events()).isEqualTo(1);
        assertThat(last.position()).isEqualTo(5);
        assertThat(autoMirror.runOnce().events()).isZero();
        assertThat(world.mirrorNames()).hasSize(5);
    }

    @Test
    void losingLeadershipMidBatchLeavesItUnacknowledged() {
        world.create(pub("a"));
        world.create(pub("b"));
        AtomicInteger checks = new AtomicInteger();

        DdlBatchResult result = world.autoMirror().runOnce(() -> checks.incrementAndGet() == 1);

        assertThat(result.acknowledged()).isFalse();
        assertThat(result.deferredReason()).isEqualTo("leadership lost");
        assertThat(world.mirrorNames()).containsExactly(mirror("a_mirror"));
        assertThat(world.events.acknowledgedPosition()).isZero();
    }

    @Test
    void foreignMirrorsAreNeverDropped() {
        world.foreignMirror("users_custom", pub("users"));
        world.foreignMirror("log_mirror", TableRef.of("audit", "log"));
        world.drop(pub("users"));
        world.drop(TableRef.of("audit", "log"));

        world.autoMirror().runOnce();

        assertThat(world.mirrorNames()).containsExactly(mirror("log_mirror"), mirror("users_custom"));
    }

    @Test
    void aMirrorNameTakenByAnotherTablesMirrorIsAFatalFailure() {
        world.foreignMirror("users_mirror", TableRef.of("legacy", "users"));
        world.create(pub("users"));

        DdlBatchResult result = world.autoMirror().runOnce();

        assertThat(result.failed()).isEqualTo(1);
        assertThat(world.metrics.snapshot(true).lastError()).contains("already used by a mirror of legacy.users");
        assertThat(world.mirrors.status(mirror("users_mirror")).orElseThrow().spec().source())
                .isEqualTo(TableRef.of("legacy", "users"));
    }

    @Test
    void withSeveralSchemasNamesAndTargetsAreSchemaQualified() {
        World multi = new World(WatchPolicy.fromCommaLists("public,sales", ""));
        multi.create(pub("orders"));
        multi.create(TableRef.of("sales", "orders"));

        multi.autoMirror().runOnce();

        assertThat(multi.mirrorNames()).containsExactly(mirror("public_orders_mirror"), mirror("sales_orders_mirror"));
        assertThat(multi.mirrors.status(mirror("sales_orders_mirror")).orElseThrow().spec().targetTable())
                .isEqualTo("sales_orders");
    }
}
