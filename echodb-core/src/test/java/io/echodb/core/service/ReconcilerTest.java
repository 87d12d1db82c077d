package io.echodb.core.service;

import static io.echodb.core.service.World.mirror;
import static io.echodb.core.service.World.pub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.model.MirrorState;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.core.testing.InMemoryMirrorControl;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReconcilerTest {

    private final World world = new World();

    @Test
    void aRenameWhoseEventWasNotHandledIsFoundByTheEngineAndNothingIsCopied() {
        world.create(pub("users"));
        world.create(pub("orders"));
        world.reconciler().reconcile();
        world.mirrors.renamesInPlace((from, to) -> from.equals(pub("users")) && to.equals(pub("customers")));
        world.mirrors.clearOperations();
        world.catalog.renameTable(pub("users"), pub("customers"));
        world.createQuietly(pub("invoices"));

        ReconcileResult result = world.reconciler().reconcile();

        assertThat(world.mirrors.operations()).containsExactly("rename users_mirror -> customers_mirror",
                "create invoices_mirror");
        assertThat(result.created()).containsExactly(mirror("invoices_mirror"));
        assertThat(world.mirrorNames()).containsExactly(mirror("customers_mirror"), mirror("invoices_mirror"),
                mirror("orders_mirror"));
    }

    @Test
    void aTableReplacedUnderItsNameByRenamesNoEventToldOfGetsItsMirrorCreatedAgain() {
        world.create(pub("t83"));
        world.createQuietly(pub("temp_t43"));
        world.reconciler().reconcile();
        long oldRelation = world.mirrors.status(mirror("t83_mirror")).orElseThrow().relationId();
        assertThat(oldRelation).isEqualTo(world.catalog.relationOf(pub("t83")));
        world.mirrors.clearOperations();
        // The swap through an excluded name (schema chaos seed 11771441), seen by no DDL event.
        world.catalog.renameTable(pub("temp_t43"), pub("t85"));
        world.catalog.renameTable(pub("t83"), pub("temp_t43"));
        world.catalog.renameTable(pub("t85"), pub("t83"));

        ReconcileResult result = world.reconciler().reconcile();

        assertThat(world.mirrors.operations()).containsExactly("drop t83_mirror", "create t83_mirror");
        assertThat(result.dropped()).containsExactly(mirror("t83_mirror"));
        assertThat(result.created()).containsExactly(mirror("t83_mirror"));
        assertThat(world.mirrors.status(mirror("t83_mirror")).orElseThrow().relationId())
                .isEqualTo(world.catalog.relationOf(pub("t83"))).isNotEqualTo(oldRelation);
        world.mirrors.clearOperations();
        assertThat(world.reconciler().reconcile().isNoop()).isTrue();
        assertThat(world.mirrors.operations()).isEmpty();
    }

    @Test
    void aTableDroppedAndCreatedAgainQuietlyGetsItsMirrorCreatedAgainWithItsTarget() {
        world.create(pub("users"));
        world.reconciler(true).reconcile();
        world.mirrors.clearOperations();
        world.dropQuietly(pub("users"));
        world.createQuietly(pub("users"));

        world.reconciler(true).reconcile();

        assertThat(world.mirrors.operations()).containsExactly("drop users_mirror target", "create users_mirror");
    }

    @Test
    void aMirrorWhoseRelationIsNotKnownIsNeverTakenForAReplacedOne() {
        world.create(pub("users"));
        world.reconciler().reconcile();
        world.mirrors.forgetRelations();
        world.mirrors.clearOperations();
        world.dropQuietly(pub("users"));
        world.createQuietly(pub("users"));

        assertThat(world.reconciler().reconcile().isNoop()).isTrue();
        assertThat(world.mirrors.operations()).isEmpty();
    }

    @Test
    void createsAMirrorForEveryTableThatPassesThePolicy() {
        world.createQuietly(pub("users"));
        world.createQuietly(pub("orders"));
        world.createQuietly(pub("temp_batch"));
        world.createQuietly(pub("spatial_ref_sys"));
        world.createQuietly(TableRef.of("audit", "log"));

        ReconcileResult result = world.reconciler().reconcile();

        assertThat(result.created()).containsExactly(mirror("orders_mirror"), mirror("users_mirror"));
        assertThat(result.dropped()).isEmpty();
        assertThat(result.failed()).isEmpty();
        assertThat(result.complete()).isTrue();
        assertThat(world.mirrorNames()).containsExactly(mirror("orders_mirror"), mirror("users_mirror"));
        assertThat(world.metrics.snapshot(true).mirrorsCreated()).isEqualTo(2);
        assertThat(world.metrics.snapshot(true).lastReconcile()).isEqualTo(result);
    }

    @Test
    void aSecondSweepChangesNothing() {
        world.createQuietly(pub("users"));
        world.createQuietly(pub("orders"));
        world.reconciler().reconcile();
        world.mirrors.clearOperations();

        ReconcileResult again = world.reconciler().reconcile();

        assertThat(again.isNoop()).isTrue();
        assertThat(again.unchanged()).isEqualTo(2);
        assertThat(world.mirrors.operations()).isEmpty();
    }

    @Test
    void mirrorsOfTablesThatAreGoneAreDropped() {
        world.existingMirror(pub("users"));
        world.existingMirror(pub("orders"));
        world.dropQuietly(pub("orders"));

        ReconcileResult result = world.reconciler().reconcile();

        assertThat(result.dropped()).containsExactly(mirror("orders_mirror"));
        assertThat(result.unchanged()).isEqualTo(1);
        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));
        assertThat(world.mirrors.droppedTargets()).isEmpty();
    }

    @Test
    void targetTablesOfOrphansAreDroppedWhenConfigured() {
        world.existingMirror(pub("orders"));
        world.dropQuietly(pub("orders"));

        world.reconciler(true).reconcile();

        assertThat(world.mirrors.droppedTargets()).containsExactly("orders");
    }

    @Test
    void mirrorsOfTablesTheNewPolicyExcludesAreDropped() {
        world.existingMirror(pub("users"));
        world.existingMirror(pub("temp_users"));
        world.existingMirror(pub("spatial_ref_sys"));

        ReconcileResult result = world.reconciler().reconcile();

        assertThat(result.dropped()).containsExactly(mirror("spatial_ref_sys_mirror"), mirror("temp_users_mirror"));
        assertThat(world.mirrorNames()).containsExactly(mirror("users_mirror"));
    }

    @Test
    void foreignMirrorsAreNeverTouched() {
        // Not named like ours, although its source is watched and gone.
        world.foreignMirror("users_custom", pub("users"));
        world.dropQuietly(pub("users"));
        // Named like ours, but its source schema is not watched.
        world.foreignMirror("log_mirror", TableRef.of("audit", "log"));
        world.dropQuietly(TableRef.of("audit", "log"));
        world.mirrors.clearOperations();

        ReconcileResult result = world.reconciler().reconcile();

        assertThat(result.isNoop()).isTrue();
        assertThat(world.mirrors.operations()).isEmpty();
        assertThat(world.mirrorNames()).containsExactly(mirror("log_mirror"), mirror("users_custom"));
    }

    @Test
    void aMirrorUnderAnOlderNameIsKeptRatherThanDuplicated() {
        world.existingMirror(pub("users"));
        World twoSchemas = new World(WatchPolicy.fromCommaLists("public,sales", ""));
        Reconciler reconciler = new Reconciler(world.catalog, world.mirrors, twoSchemas.policy, world.metrics, false);
        world.mirrors.clearOperations();

        ReconcileResult result = reconciler.reconcile();

        assertThat(result.unchanged()).isEqualTo(1);
        assertThat(world.mirrors.operations()).isEmpty();
    }

    @Test
    void eventsLostOrMadeWhileNobodyListenedAreConvergedBySweeps() {
        world.existingMirror(pub("legacy"));
        world.dropQuietly(pub("legacy"));
        world.createQuietly(pub("fresh"));

        world.reconciler().reconcile();

        assertThat(world.mirrorNames()).containsExactly(mirror("fresh_mirror"));
    }

    @Test
    void aFatalCreateFailureIsRecordedAndTheSweepGoesOn() {
        world.createQuietly(pub("a_broken"));
        world.createQuietly(pub("b_fine"));
        world.mirrors.failNextCreate(pub("a_broken"), MirrorEngineException.fatal("type xml not supported", null));

        ReconcileResult result = world.reconciler().reconcile();

        assertThat(result.complete()).isTrue();
        assertThat(result.created()).containsExactly(mirror("b_fine_mirror"));
        assertThat(result.failed()).singleElement().satisfies(f -> {
            assertThat(f.table()).isEqualTo(pub("a_broken"));
            assertThat(f.mirror()).isEqualTo(mirror("a_broken_mirror"));
            assertThat(f.operation()).isEqualTo("create");
            assertThat(f.message()).isEqualTo("type xml not supported");
            assertThat(f.retryable()).isFalse();
        });
        assertThat(world.metrics.snapshot(true).mirrorsFailed()).isEqualTo(1);

        ReconcileResult later = world.reconciler().reconcile();

        assertThat(later.created()).containsExactly(mirror("a_broken_mirror"));
    }

    @Test
    void aRetryableFailureEndsTheSweepEarlyAndTheNextSweepFinishes() {
        world.createQuietly(pub("a"));
        world.createQuietly(pub("b"));
        world.mirrors.failNextCreate(pub("a"), MirrorEngineException.retryable("timeout", null));

        ReconcileResult first = world.reconciler().reconcile();

        assertThat(first.complete()).isFalse();
        assertThat(first.failed()).singleElement().satisfies(f -> assertThat(f.retryable()).isTrue());
        assertThat(world.mirrorNames()).isEmpty();

        ReconcileResult second = world.reconciler().reconcile();

        assertThat(second.complete()).isTrue();
        assertThat(world.mirrorNames()).containsExactly(mirror("a_mirror"), mirror("b_mirror"));
    }

    @Test
    void aFailedDropIsRecorded() {
        world.existingMirror(pub("gone"));
        world.dropQuietly(pub("gone"));
        InMemoryMirrorControl engine = world.mirrors;
        Reconciler reconciler = new Reconciler(world.catalog, new FailingDrops(engine), world.policy, world.metrics, false);

        ReconcileResult result = reconciler.reconcile();

        assertThat(result.failed()).singleElement().satisfies(f -> {
            assertThat(f.operation()).isEqualTo("drop");
            assertThat(f.mirror()).isEqualTo(mirror("gone_mirror"));
        });
        assertThat(world.mirrorNames()).containsExactly(mirror("gone_mirror"));
    }

    @Test
    void anUnreachableCatalogPropagatesAndChangesNothing() {
        world.existingMirror(pub("users"));
        world.catalog.failWith(SourceUnavailableException.of("list tables", null));
        world.mirrors.clearOperations();

        assertThatThrownBy(() -> world.reconciler().reconcile()).isInstanceOf(SourceUnavailableException.class);
        assertThat(world.mirrors.operations()).isEmpty();
    }

    @Test
    void anUnsupportedMirrorIsRecreatedOnceTheTableHasAKey() {
        world.catalog.createTable(pub("events"), false);
        world.reconciler().reconcile();
        assertThat(world.mirrors.status(mirror("events_mirror")).orElseThrow().state()).isEqualTo(MirrorState.UNSUPPORTED);
        world.mirrors.clearOperations();

        ReconcileResult stillKeyless = world.reconciler().reconcile();
        assertThat(stillKeyless.unchanged()).isEqualTo(1);
        assertThat(world.mirrors.operations()).isEmpty();

        world.catalog.createTable(pub("events"), true);
        ReconcileResult keyed = world.reconciler().reconcile();

        assertThat(keyed.created()).containsExactly(mirror("events_mirror"));
        assertThat(world.mirrors.status(mirror("events_mirror")).orElseThrow().state()).isEqualTo(MirrorState.RUNNING);
    }

    @Test
    void losingLeadershipStopsTheSweepBeforeTheNextCall() {
        world.createQuietly(pub("a"));
        world.createQuietly(pub("b"));
        world.createQuietly(pub("c"));
        AtomicInteger checks = new AtomicInteger();

        ReconcileResult result = world.reconciler().reconcile(() -> checks.incrementAndGet() <= 1);

        assertThat(result.complete()).isFalse();
        assertThat(result.created()).containsExactly(mirror("a_mirror"));
        assertThat(world.mirrorNames()).containsExactly(mirror("a_mirror"));
    }

    /** An engine whose drops fail fatally; everything else is delegated. */
    private static final class FailingDrops extends DelegatingMirrorControl {
        FailingDrops(InMemoryMirrorControl delegate) {
            super(delegate);
        }

        @Override
        public void drop(io.echodb.core.model.MirrorName name, boolean dropTarget) {
            throw MirrorEngineException.fatal("drop refused", null);
        }
    }
}
