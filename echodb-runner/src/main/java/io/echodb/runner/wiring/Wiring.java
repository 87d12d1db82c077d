package io.echodb.runner.wiring;

import io.echodb.adapters.clickhouse.ClickHouseGateway;
import io.echodb.adapters.clickhouse.ClickHouseRowCounter;
import io.echodb.adapters.postgres.catalog.PgRowCounter;
import io.echodb.adapters.postgres.catalog.PgSourceCatalog;
import io.echodb.adapters.postgres.ddl.CatalogSweep;
import io.echodb.adapters.postgres.ddl.DdlCaptureInstaller;
import io.echodb.adapters.postgres.ddl.DdlCaptureSettings;
import io.echodb.adapters.postgres.ddl.DdlSourceSettings;
import io.echodb.adapters.postgres.ddl.PgDdlEventSource;
import io.echodb.adapters.postgres.replication.PgSlotWatch;
import io.echodb.adapters.postgres.jdbc.PgConnectionFactory;
import io.echodb.adapters.redis.RedisLeadership;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.port.out.Leadership;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.port.out.RowCounter;
import io.echodb.core.port.out.SourceCatalog;
import io.echodb.core.service.AutoMirror;
import io.echodb.core.service.ConsistencyChecker;
import io.echodb.core.service.checksum.ChecksumComparer;
import io.echodb.core.replication.EngineListener;
import java.util.concurrent.ExecutorService;
import io.echodb.adapters.postgres.jdbc.PgPoolSettings;
import io.echodb.core.service.ControlPlane;
import io.echodb.core.service.ControlPlaneMetrics;
import io.echodb.core.service.ControlPlaneStats;
import io.echodb.core.service.LeaderLoop;
import io.echodb.core.service.MismatchRepair;
import io.echodb.core.service.Reconciler;
import io.echodb.core.time.Sleeper;
import io.echodb.core.service.SoloLeadership;
import io.echodb.core.service.StepLoop;
import io.echodb.runner.config.EchoDbConfig;
import io.echodb.runner.console.ActivityFeed;
import io.echodb.runner.console.FeedingDdlEventSource;
import io.echodb.runner.console.FeedingEngineListener;
import io.echodb.runner.console.LagHistory;
import io.echodb.runner.console.LastChecks;
import io.echodb.runner.http.ReadinessReport;
import io.echodb.runner.http.ReplicationSnapshot;
import io.echodb.runner.metrics.MicrometerEngineListener;
import io.echodb.runner.metrics.Telemetry;
import io.echodb.runner.resilience.Resilience;
import io.echodb.runner.resilience.ResilientDdlEventSource;
import io.echodb.runner.resilience.ResilientMirrorControl;
import io.echodb.runner.resilience.ResilientRowCounter;
import io.echodb.runner.resilience.ResilientSourceCatalog;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hand wiring of one worker, chosen by configuration: PostgreSQL adapters for the source, ClickHouse for the target,
 * the mirror engine ({@code MIRROR_ENGINE}), leader election ({@code LEADERSHIP}), the core services, and the runner's
 * resilience decorators and metrics around them. No container: every object is built here, in dependency order.
 */
public final class Wiring {

    private static final Logger LOG = LoggerFactory.getLogger(Wiring.class);

    private final EchoDbConfig config;
    private final Clock clock;
    private final Telemetry telemetry;
    private final Resilience resilience;
    /** Closed in reverse order of creation. */
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private final ActivityFeed activity;
    private final LagHistory lagHistory;
    private final LastChecks lastChecks = new LastChecks();

    private PgConnectionFactory pg;
    private DdlCaptureStartup ddlCaptureStartup;
    private SourceCatalog catalog;
    private ClickHouseGateway clickhouse;
    private MirrorEngineHandle engine;
    private MirrorControl mirrors;
    private ConsistencyChecker checker;
    private ScheduledChecks checks;
    private ExecutorService afterCopyChecks;
    private LeaderLoop leaderLoop;
    private GatedLeaderView gatedLeader;
    private EngineSupervisor supervisor;
    private ControlPlaneMetrics controlMetrics;
    private ControlPlane controlPlane;
    private StepLoop leaderSteps;
    private StepLoop controlSteps;
    private ScheduledExecutorService scheduler;
    private DependencyProbes dependencies;
    private ReadinessProbes readiness;
    private Housekeeper housekeeper;
    private OutboxPruner outboxPruner;
    private SlotMonitor slotMonitor;
    private ReplicationReadout replicationReadout;
    /** A leadership adapter whose close() releases the lease; closed only when the lease may be released. */
    private AutoCloseable leaseHolder;

    private Wiring(EchoDbConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.telemetry = new Telemetry(clock);
        this.resilience = new Resilience(config.resilience(), clock);
        resilience.bindTo(telemetry.registry());
        this.activity = new ActivityFeed(clock);
        this.lagHistory = new LagHistory(clock, Duration.ofHours(1));
    }

    /** Builds every component; nothing runs yet. Throws {@link StartupException} for an impossible combination. */
    public static Wiring build(EchoDbConfig config, Clock clock) {
        Wiring w = new Wiring(config, clock);
        try {
            w.buildAll();
        } catch (RuntimeException e) {
            w.stop(true);
            w.closeTelemetry();
            throw e;
        }
        return w;
    }

    private void buildAll() {
        WatchPolicy policy = config.policy();
        EchoDbConfig.Postgres p = config.postgres();
        // Closed last (registered first): every other component borrows from its pool.
        pg = closing(PgConnectionFactory.pooled(ConnectionSettings.postgres(p), "echodb-" + config.leadership().workerId(),
                PgPoolSettings.defaults().withSize(p.poolSize(), p.poolTimeout())));
        DdlCaptureSettings capture = DdlCaptureSettings.defaults().withSchema(config.engine().stateSchema())
                .withGuardedPublication(config.engine().isNative() ? config.engine().publication() : null);
        DdlCaptureInstaller ddlCapture = new DdlCaptureInstaller(pg::openDedicated, capture);
        DdlCaptureRunner ddlCaptureRunner = closing(new DdlCaptureRunner(new CatalogSweep(pg::openDedicated, capture, clock),
                config.autoMirror().ddlSweepInterval(), clock, this::isLeader, telemetry.registry()));
        ddlCaptureStartup = new DdlCaptureStartup(config, ddlCapture, ddlCaptureRunner);
        PgDdlEventSource ddlSource = closing(new PgDdlEventSource(pg::openDedicated,
                DdlSourceSettings.of(capture).withPollInterval(config.autoMirror().ddlPollInterval())));
        outboxPruner = new OutboxPruner(ddlSource, config.autoMirror().ddlOutboxRetention(),
                config.autoMirror().ddlOutboxKeep(), telemetry.registry());
        catalog = new ResilientSourceCatalog(new PgSourceCatalog(pg, Set.of(config.engine().stateSchema())), resilience);
        RowCounter sourceRows = new ResilientRowCounter(new PgRowCounter(pg, clock), resilience);

        clickhouse = closing(new ClickHouseGateway(ConnectionSettings.clickHouse(config.clickhouse())));
        ClickHouseRowCounter targetRows = new ClickHouseRowCounter(clickhouse, policy::targetTableFor, clock);

        afterCopyChecks = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "echodb-after-copy-check");
            t.setDaemon(true);
            return t;
        });
        checks = new ScheduledChecks(() -> checker, config.consistency().mode(), telemetry, lastChecks, this::isLeader);
        EngineListener listener = new FeedingEngineListener(new SnapshotCompletionCheck(new MicrometerEngineListener(telemetry.registry()),
                () -> checker, this::isLeader, checks::checked, afterCopyChecks), activity);
        engine = closing(MirrorEngines.create(config, pg, clickhouse, listener, clock));
        mirrors = new ResilientMirrorControl(engine.control(), resilience);
        checks.repairWith(new MismatchRepair(mirrors, clock, new MismatchRepair.Settings(config.consistency().autoResyncsPerDay())));
        telemetry.trackMirrors(() -> mirrors.list());

        Leadership leadership = leadership();
        // The supervisor listens to the loop, and gates what the control plane sees of it.
        supervisor = new EngineSupervisor(engine, Duration.ofSeconds(1));
        leaderLoop = new LeaderLoop(leadership, clock,
                LeaderLoop.Settings.of(config.leadership().ttl(), config.leadership().interval()), supervisor);
        supervisor.watch(leaderLoop);
        gatedLeader = supervisor.gate();
        io.micrometer.core.instrument.Gauge.builder("echodb_leader", () -> isLeader() ? 1 : 0)
                .description("1 while this worker holds the leadership, else 0 (alert when no worker has 1)")
                .tag("worker", config.leadership().workerId()).register(telemetry.registry());

        controlMetrics = new ControlPlaneMetrics(clock);
        var ddl = new ResilientDdlEventSource(new FeedingDdlEventSource(ddlSource, activity), resilience);
        boolean dropTargets = config.autoMirror().dropTargetOnTableDrop();
        AutoMirror autoMirror = new AutoMirror(ddl, catalog, mirrors, policy, controlMetrics,
                new AutoMirror.Settings(100, Duration.ofSeconds(1), dropTargets));
        Reconciler reconciler = new Reconciler(catalog, mirrors, policy, controlMetrics, dropTargets);
        Duration retryDelay = atLeast(config.resilience().retryDelay(), Duration.ofMillis(100));
        controlPlane = new ControlPlane(gatedLeader, autoMirror, reconciler, controlMetrics, clock,
                new ControlPlane.Settings(config.autoMirror().reconcileInterval(), retryDelay, Duration.ofMillis(200), 10,
                        config.resilience().retryBackoff(), config.resilience().maxRetries()));
        ConsistencyChecker.Builder checks = ConsistencyChecker.builder(sourceRows, targetRows, mirrors, policy).clock(clock);
        ChecksumComparer comparer = PositionedChecks.checksumComparer(config, pg, catalog, clickhouse, policy, clock);
        if (comparer != null) {
            checks.checksums(comparer);
        }
        ConsistencyChecker.Positions positions = PositionedChecks.countPositions(config, pg, resilience, targetRows);
        if (positions != null) {
            checks.positions(positions);
        }
        checker = checks.build();
        if (config.consistency().mode() == ConsistencyChecker.Mode.CHECKSUM && !checker.supportsChecksums()) {
            throw StartupException.of("CONSISTENCY_MODE=checksum needs MIRROR_ENGINE=native (PeerDB's tables carry no row"
                    + " versions to compare at one point); use count");
        }

        leaderSteps = new StepLoop("leader", leaderLoop::runOnce, Sleeper.SYSTEM, config.leadership().interval());
        controlSteps = new StepLoop("control-plane", controlPlane::tick, Sleeper.SYSTEM, retryDelay);
        dependencies = new DependencyProbes(config.postgres(), pg, clickhouse, clock);
        if (config.clickhouse().cleanDatabases()) {
            housekeeper = new Housekeeper(clickhouse, mirrors);
        }
        if (config.engine().isNative()) {
            slotMonitor = new SlotMonitor(new PgSlotWatch(pg, config.engine().slotName()), config.engine().slotWalWarnBytes(),
                    telemetry.registry());
            io.micrometer.core.instrument.Gauge.builder("echodb_replication_lag_seconds",
                            () -> engine.replicationLag().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN))
                    .description("Age of the oldest transaction received from the slot and not yet written to ClickHouse;"
                            + " 0 when caught up, NaN on a follower")
                    .tag("slot", config.engine().slotName()).register(telemetry.registry());
        }
        readiness = new ReadinessProbes(new ReadinessProbes.Parts(config.leadership().kind(), dependencies, leaderLoop,
                supervisor, engine, ddlCaptureRunner, mirrors, slotMonitor));
        replicationReadout = new ReplicationReadout(engine, slotMonitor, lagHistory);
    }

    /** Installs DDL capture (waiting for PostgreSQL at start-up), then starts the loops and the schedules. */
    public void start() {
        ddlCaptureStartup.install();
        leaderSteps.start();
        controlSteps.start();
        scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "echodb-scheduler");
            t.setDaemon(true);
            return t;
        });
        long every = config.consistency().interval().toMillis();
        scheduler.scheduleWithFixedDelay(checks::run, every, every, TimeUnit.MILLISECONDS);
        long reconcile = config.autoMirror().reconcileInterval().toMillis();
        scheduler.scheduleWithFixedDelay(dependencies::refresh, 0, 10_000, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(replicationReadout::sampleLag, 0, 10_000, TimeUnit.MILLISECONDS);
        if (slotMonitor != null) {
            scheduler.scheduleWithFixedDelay(slotMonitor::sweep, 0, Math.min(reconcile, 15_000), TimeUnit.MILLISECONDS);
        }
        scheduler.scheduleWithFixedDelay(() -> {
            if (isLeader()) {
                outboxPruner.sweep();
            }
        }, reconcile, reconcile, TimeUnit.MILLISECONDS);
        if (housekeeper != null) {
            long sweep = reconcile;
            scheduler.scheduleWithFixedDelay(() -> {
                if (isLeader()) {
                    housekeeper.sweep();
                }
            }, sweep, sweep, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Stops in the safe order: the control plane and the election loop, then the engine (no more writes), and only then
     * the lease is released ({@code releaseLease}) so a successor never overlaps with us. Then connections close.
     */
    public void stop(boolean releaseLease) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (afterCopyChecks != null) {
            afterCopyChecks.shutdownNow();
        }
        closeQuietly(controlSteps);
        closeQuietly(leaderSteps);
        closeQuietly(supervisor);
        if (releaseLease) {
            closeQuietly(leaderLoop);
            closeQuietly(leaseHolder);
        }
        while (!closeables.isEmpty()) {
            closeQuietly(closeables.pop());
        }
    }

    /** Closes a leadership adapter left open by {@code stop(false)}. */
    public void closeLeaseHolder() {
        closeQuietly(leaseHolder);
        leaseHolder = null;
    }

    public void closeTelemetry() {
        closeQuietly(telemetry);
    }

    // ------------------------------------------------------------------ what the application reads

    /** Whether this worker holds the leader lease. */
    public boolean isLeader() {
        return leaderLoop != null && leaderLoop.isLeader();
    }

    /** Whether this worker may act now: leading, and its engine started in this term. */
    public boolean isActingLeader() {
        return gatedLeader != null && gatedLeader.isLeader();
    }

    public ControlPlaneStats stats() {
        return controlPlane.stats();
    }

    public MirrorControl mirrors() {
        return mirrors;
    }

    public SourceCatalog catalog() {
        return catalog;
    }

    public ConsistencyChecker checker() {
        return checker;
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    public Resilience resilience() {
        return resilience;
    }

    public boolean postgresReachable() {
        return dependencies.postgres().ok();
    }

    /**
     * For /health: why this worker is not alive although it runs (a control, leader or stream loop ended without being
     * stopped); empty when it is.
     */
    public Optional<String> livenessFailure() {
        return java.util.stream.Stream.of(leaderSteps.failure(), controlSteps.failure(), engine.loopFailure())
                .flatMap(Optional::stream).findFirst();
    }

    /** For the console: the activity feed, the lag history and the latest check of each table. */
    public ActivityFeed activity() {
        return activity;
    }

    public LagHistory lagHistory() {
        return lagHistory;
    }

    public LastChecks lastChecks() {
        return lastChecks;
    }

    /** The engine, the leadership kind and, while leading, the term (fencing token). */
    public io.echodb.runner.http.WorkerDetails workerDetails() {
        Long term = isLeader() ? leaderLoop.fencingToken().orElse(0) : null;
        return new io.echodb.runner.http.WorkerDetails(config.engine().kind(), config.leadership().kind(), term);
    }

    /** The replication slot as last read and the engine's lag in time; empty with PeerDB. Never blocks. */
    public Optional<ReplicationSnapshot> replication() {
        return replicationReadout.replication();
    }

    /** Dependencies reachable, and for the leader the engine running. */
    public ReadinessReport readiness(boolean running) {
        return readiness.readiness(running);
    }

    // ------------------------------------------------------------------ helpers

    private Leadership leadership() {
        EchoDbConfig.Leadership l = config.leadership();
        return switch (l.kind()) {
            case "none" -> new SoloLeadership(l.workerId(), clock);
            case "postgres" -> closing(Leaderships.postgres(config, pg, clock));
            case "redis" -> {
                // Closing the Redis adapter releases the lease: done only on a graceful stop (see stop()).
                RedisLeadership redis = Leaderships.redis(config, clock);
                leaseHolder = redis;
                yield redis;
            }
            default -> throw StartupException.of("LEADERSHIP=" + l.kind() + " is not supported");
        };
    }

    private <T extends AutoCloseable> T closing(T c) {
        closeables.push(c);
        return c;
    }

    private static Duration atLeast(Duration d, Duration min) {
        return d.compareTo(min) < 0 ? min : d;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("error while closing {}: {}", c.getClass().getSimpleName(), e.toString());
        }
    }
}
