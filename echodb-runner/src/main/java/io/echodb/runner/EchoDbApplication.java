package io.echodb.runner;

import io.echodb.runner.wiring.StartupException;

import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.service.ConsistencyChecker;
import io.echodb.core.service.ControlPlaneStats;
import io.echodb.core.service.TableCheck;
import io.echodb.runner.config.EchoDbConfig;
import io.echodb.runner.config.Redactor;
import io.echodb.runner.http.ApiBackend;
import io.echodb.runner.http.HttpApi;
import io.echodb.runner.http.NotFoundException;
import io.echodb.runner.http.ReadinessReport;
import io.echodb.runner.http.WorkerSnapshot;
import io.echodb.runner.resilience.Resilience;
import io.echodb.runner.wiring.Wiring;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One EchoDB worker: the wired services ({@link Wiring}) plus the HTTP API. {@link #start} returns once the worker
 * listens and its loops run; {@link #close} shuts down gracefully (engine stopped before the lease is released).
 */
public final class EchoDbApplication implements ApiBackend, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EchoDbApplication.class);

    private final EchoDbConfig config;
    private final Clock clock;
    private final Instant startedAt;
    private final Wiring wiring;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private HttpApi http;
    private HttpApi checkerHttp;
    private volatile boolean running;
    private volatile boolean closed;

    private EchoDbApplication(EchoDbConfig config, Clock clock, Wiring wiring) {
        this.config = config;
        this.clock = clock;
        this.wiring = wiring;
        this.startedAt = clock.instant();
    }

    public static EchoDbApplication start(EchoDbConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** Wires everything from {@code config}, starts the loops and the HTTP API; throws {@link StartupException}. */
    public static EchoDbApplication start(EchoDbConfig config, Clock clock) {
        Redactor.global().register(config);
        LOG.info("starting EchoDB worker {} (engine {}, leadership {})", config.leadership().workerId(),
                config.engine().kind(), config.leadership().kind());
        config.describe().forEach(line -> LOG.info("config {}", line));
        Wiring wiring;
        try {
            wiring = Wiring.build(config, clock);
        } catch (StartupException e) {
            throw e;
        } catch (RuntimeException e) {
            throw StartupException.of("cannot start: " + e.getMessage(), e);
        }
        EchoDbApplication app = new EchoDbApplication(config, clock, wiring);
        try {
            wiring.start();
            app.running = true;
            List<String> schemas = config.policy().schemas().stream().sorted().toList();
            ConsistencyChecker.Mode mode = config.consistency().mode();
            app.http = new HttpApi(app, config.http().adminToken(), Redactor.global(), clock, schemas, mode,
                    HttpApi.Surface.FULL).start(config.http().host(), config.http().port());
            if (config.consistency().checkerPort() != 0) {
                app.checkerHttp = new HttpApi(app, config.http().adminToken(), Redactor.global(), clock, schemas, mode,
                        HttpApi.Surface.CONSISTENCY_CHECKER).start(config.http().host(), config.consistency().checkerPort());
            }
        } catch (RuntimeException e) {
            app.close();
            if (e instanceof StartupException s) {
                throw s;
            }
            throw StartupException.of("cannot start: " + e.getMessage(), e);
        }
        LOG.info("EchoDB worker {} listening on {}:{}", config.leadership().workerId(), config.http().host(), app.http.port());
        return app;
    }

    /** The port the HTTP API listens on (useful with HTTP_PORT=0). */
    public int httpPort() {
        return http.port();
    }

    public EchoDbConfig config() {
        return config;
    }

    /** Blocks until {@link #close} finished. */
    public void awaitTermination() {
        try {
            terminated.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Graceful shutdown: loops stop, the engine stops, then the lease is released; idempotent. */
    @Override
    public void close() {
        shutdown(true);
    }

    /**
     * Simulates a crash (tests): everything stops, connections close, but the leader lease is NOT released, so other
     * workers must wait for it to expire.
     */
    public void halt() {
        shutdown(false);
    }

    private synchronized void shutdown(boolean releaseLease) {
        if (closed) {
            if (releaseLease) {
                // close() after halt(): free the lease store's connection; its release is a compare-and-delete, so a
                // lease another worker holds by now is left alone
                wiring.closeLeaseHolder();
            }
            return;
        }
        closed = true;
        running = false;
        LOG.info("EchoDB worker {} {}", config.leadership().workerId(), releaseLease ? "shutting down" : "halting");
        wiring.stop(releaseLease);
        if (checkerHttp != null) {
            checkerHttp.close();
        }
        if (http != null) {
            http.close();
        }
        wiring.closeTelemetry();
        terminated.countDown();
    }

    // ------------------------------------------------------------------ ApiBackend

    @Override
    public WorkerSnapshot worker() {
        ControlPlaneStats s = wiring.stats();
        return new WorkerSnapshot(running, running && wiring.postgresReachable(), config.leadership().workerId(),
                wiring.isLeader(), s.mirrorsCreated(), s.mirrorsDropped(), s.mirrorsFailed(), s.lastError(),
                Duration.between(startedAt, clock.instant()).toSeconds(), wiring.livenessFailure().orElse(null));
    }

    @Override
    public ReadinessReport readiness() {
        return wiring.readiness(running);
    }

    @Override
    public java.util.Optional<io.echodb.runner.http.ReplicationSnapshot> replication() {
        return wiring.replication();
    }

    @Override
    public Map<String, Resilience.View> breakers() {
        return wiring.resilience().views();
    }

    @Override
    public MirrorControl mirrors() {
        return wiring.mirrors();
    }

    @Override
    public boolean isLeader() {
        return wiring.isActingLeader();
    }

    @Override
    public ConsistencyReport verify(TableRef table, ConsistencyChecker.Mode mode) {
        if (wiring.catalog().describe(table).isEmpty()) {
            throw NotFoundException.of("table " + table + " does not exist in the source database");
        }
        ConsistencyReport report = wiring.checker().check(table, mode);
        wiring.telemetry().recordConsistency(report);
        wiring.lastChecks().record(report);
        return report;
    }

    @Override
    public List<TableCheck> verifyAll(ConsistencyChecker.Mode mode) {
        List<TableCheck> checks = wiring.checker().checkAll(mode);
        checks.stream().filter(c -> c instanceof TableCheck.Checked).map(c -> ((TableCheck.Checked) c).report())
                .forEach(r -> {
                    wiring.telemetry().recordConsistency(r);
                    wiring.lastChecks().record(r);
                });
        return checks;
    }

    @Override
    public io.echodb.runner.http.WorkerDetails workerDetails() {
        return wiring.workerDetails();
    }

    @Override
    public List<io.echodb.runner.console.LagHistory.Sample> lagHistory() {
        return wiring.lagHistory().samples();
    }

    @Override
    public List<io.echodb.runner.console.ActivityFeed.Entry> activity() {
        return wiring.activity().latest();
    }

    @Override
    public List<ConsistencyReport> lastChecks() {
        return wiring.lastChecks().all();
    }

    @Override
    public String prometheusScrape() {
        return wiring.telemetry().scrape();
    }
}
