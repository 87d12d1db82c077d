package io.echodb.core.service;

import io.echodb.core.model.DdlEvent;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.testing.InMemoryDdlEventSource;
import io.echodb.core.testing.InMemoryMirrorControl;
import io.echodb.core.testing.InMemorySourceCatalog;
import io.echodb.core.testing.ManualClock;
import java.time.Duration;
import java.util.List;

/**
 * A source database (catalog + DDL outbox) and a mirror engine, all in memory and on one manual clock. The DDL
 * helpers change the catalog and capture the event, as the event triggers would; the "quietly" variants change the
 * catalog only (an event lost, or a change made while capture was not installed).
 */
final class World {

    static final WatchPolicy POLICY = WatchPolicy.fromCommaLists("public", "spatial_ref_sys,geometry_columns,temp_*");

    final ManualClock clock = new ManualClock();
    final InMemorySourceCatalog catalog = new InMemorySourceCatalog();
    final InMemoryDdlEventSource events = new InMemoryDdlEventSource(clock);
    final InMemoryMirrorControl mirrors = new InMemoryMirrorControl(clock, catalog);
    final ControlPlaneMetrics metrics = new ControlPlaneMetrics(clock);
    final WatchPolicy policy;

    World() {
        this(POLICY);
    }

    World(WatchPolicy policy) {
        this.policy = policy;
    }

    static TableRef pub(String name) {
        return TableRef.of("public", name);
    }

    static MirrorName mirror(String name) {
        return new MirrorName(name);
    }

    DdlEvent create(TableRef t) {
        catalog.createTable(t, true);
        return events.emitCreate(t);
    }

    DdlEvent createWithoutKey(TableRef t) {
        catalog.createTable(t, false);
        return events.emitCreate(t);
    }

    DdlEvent drop(TableRef t) {
        catalog.dropTable(t);
        return events.emitDrop(t);
    }

    DdlEvent rename(TableRef from, TableRef to) {
        catalog.renameTable(from, to);
        return events.emitRename(from, to);
    }

    DdlEvent addPrimaryKey(TableRef t) {
        catalog.createTable(t, true);
        return events.emitAlter(t);
    }

    void createQuietly(TableRef t) {
        catalog.createTable(t, true);
    }

    void dropQuietly(TableRef t) {
        catalog.dropTable(t);
    }

    /** A mirror some other tool created in the same engine (its source table exists until dropped quietly). */
    MirrorStatus foreignMirror(String name, TableRef source) {
        catalog.createTable(source, true);
        return mirrors.create(new MirrorSpec(new MirrorName(name), source, source.name()));
    }

    /** The mirror EchoDB would create for {@code t}, made directly in the engine (e.g. by an earlier run). */
    MirrorStatus existingMirror(TableRef t) {
        catalog.createTable(t, true);
        return mirrors.create(policy.specFor(t));
    }

    List<MirrorName> mirrorNames() {
        return mirrors.names();
    }

    AutoMirror autoMirror(int batchSize, boolean dropTargetTables) {
        return new AutoMirror(events, catalog, mirrors, policy, metrics, new AutoMirror.Settings(batchSize, Duration.ZERO, dropTargetTables));
    }

    AutoMirror autoMirror() {
        return autoMirror(100, false);
    }

    Reconciler reconciler(boolean dropTargetTables) {
        return new Reconciler(catalog, mirrors, policy, metrics, dropTargetTables);
    }

    Reconciler reconciler() {
        return reconciler(false);
    }
}
