package io.echodb.runner.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.model.WatchPolicy;
import io.echodb.core.port.in.MirrorControl;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.in.MirrorNotFoundException;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.core.testing.InMemoryDdlEventSource;
import io.echodb.core.testing.InMemoryMirrorControl;
import io.echodb.core.testing.InMemorySourceCatalog;
import io.echodb.runner.config.ConfigSource;
import io.echodb.runner.config.EchoDbConfig;
import io.echodb.core.testing.ManualClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResilienceTest {

    private final ManualClock clock = ManualClock.at("2025-01-01T00:00:00Z");
    private final TableRef users = TableRef.of("public", "users");
    private final MirrorSpec usersSpec = WatchPolicy.fromCommaLists("public", "").specFor(users);

    private Resilience resilience(Map<String, String> env) {
        EchoDbConfig config = EchoDbConfig.from(ConfigSource.of(env), () -> "w1");
        return new Resilience(config.resilience(), clock);
    }

    private Resilience seedLike() {
        return resilience(Map.of("PEERDB_FAILURE_THRESHOLD", "3", "PEERDB_SUCCESS_THRESHOLD", "2", "PEERDB_TIMEOUT", "60",
                "POSTGRES_FAILURE_THRESHOLD", "2", "POSTGRES_SUCCESS_THRESHOLD", "1", "POSTGRES_TIMEOUT", "30",
                "MAX_RETRIES", "0"));
    }

    /** Counts calls that reach the engine. */
    private static final class Counting implements MirrorControl {
        final MirrorControl inner;
        final AtomicInteger calls = new AtomicInteger();

        Counting(MirrorControl inner) {
            this.inner = inner;
        }

        public MirrorStatus create(MirrorSpec spec) {
            calls.incrementAndGet();
            return inner.create(spec);
        }

        public void drop(MirrorName name, boolean dropTarget) {
            calls.incrementAndGet();
            inner.drop(name, dropTarget);
        }

        public void pause(MirrorName name) {
            calls.incrementAndGet();
            inner.pause(name);
        }

        public void resume(MirrorName name) {
            calls.incrementAndGet();
            inner.resume(name);
        }

        public void resync(MirrorName name) {
            calls.incrementAndGet();
            inner.resync(name);
        }

        @Override
        public java.util.Optional<io.echodb.core.model.MirrorStatus> rename(MirrorName name, io.echodb.core.model.MirrorSpec to) {
            calls.incrementAndGet();
            return inner.rename(name, to);
        }

        public List<MirrorStatus> list() {
            calls.incrementAndGet();
            return inner.list();
        }

        public Optional<MirrorStatus> status(MirrorName name) {
            calls.incrementAndGet();
            return inner.status(name);
        }
    }

    @Test
    void breakerOpensAfterConsecutiveFailuresAndFailsFastWithoutCallingTheEngine() {
        Resilience r = seedLike();
        InMemoryMirrorControl engine = new InMemoryMirrorControl(clock);
        Counting counting = new Counting(engine);
        MirrorControl guarded = new ResilientMirrorControl(counting, r);
        engine.failWith(MirrorEngineException.retryable("PeerDB down", null));

        for (int i = 1; i <= 3; i++) {
            assertThatThrownBy(guarded::list).hasMessage("PeerDB down");
            assertThat(r.views().get("peerdb_api").failures()).isEqualTo(i);
        }
        assertThat(r.views().get("peerdb_api").state()).isEqualTo("open");
        assertThatThrownBy(guarded::list)
                .isInstanceOf(MirrorEngineException.class)
                .hasMessageContaining("circuit breaker 'peerdb_api' is open")
                .satisfies(e -> assertThat(((MirrorEngineException) e).isRetryable()).isTrue());
        assertThat(counting.calls).hasValue(3);
        assertThat(r.views().get("postgres_connection")).isEqualTo(new Resilience.View("closed", 0));
    }

    @Test
    void aSuccessResetsTheConsecutiveCount() {
        Resilience r = seedLike();
        InMemoryMirrorControl engine = new InMemoryMirrorControl(clock);
        MirrorControl guarded = new ResilientMirrorControl(engine, r);
        for (int round = 0; round < 3; round++) {
            engine.failWith(MirrorEngineException.retryable("blip", null));
            assertThatThrownBy(guarded::list).hasMessage("blip");
            assertThatThrownBy(guarded::list).hasMessage("blip");
            engine.heal();
            assertThat(guarded.list()).isEmpty();
            assertThat(r.views().get("peerdb_api")).isEqualTo(new Resilience.View("closed", 0));
        }
    }

    @Test
    void afterTheTimeoutTrialCallsCloseTheBreakerAfterTheSuccessThreshold() {
        Resilience r = seedLike();
        InMemoryMirrorControl engine = new InMemoryMirrorControl(clock);
        MirrorControl guarded = new ResilientMirrorControl(engine, r);
        engine.failWith(MirrorEngineException.retryable("down", null));
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(guarded::list).hasMessage("down");
        }
        engine.heal();
        clock.advance(Duration.ofSeconds(59));
        assertThatThrownBy(guarded::list).hasMessageContaining("is open");
        clock.advance(Duration.ofSeconds(1).plusMillis(1));
        assertThat(guarded.list()).isEmpty();
        assertThat(r.views().get("peerdb_api").state()).isEqualTo("half_open");
        guarded.create(usersSpec);
        assertThat(r.views().get("peerdb_api")).isEqualTo(new Resilience.View("closed", 0));
        assertThat(engine.names()).containsExactly(usersSpec.name());
    }

    @Test
    void anyFailureDuringTheTrialReopensAtOnce() {
        Resilience r = seedLike();
        InMemoryMirrorControl engine = new InMemoryMirrorControl(clock);
        MirrorControl guarded = new ResilientMirrorControl(engine, r);
        engine.failWith(MirrorEngineException.retryable("down", null));
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(guarded::list).hasMessage("down");
        }
        clock.advance(Duration.ofSeconds(60).plusMillis(1));
        assertThatThrownBy(guarded::list).hasMessage("down");
        assertThat(r.views().get("peerdb_api").state()).isEqualTo("open");
        assertThatThrownBy(guarded::list).hasMessageContaining("is open");
    }

    @Test
    void callerMistakesDoNotCountAsEngineFailures() {
        Resilience r = seedLike();
        MirrorControl guarded = new ResilientMirrorControl(new InMemoryMirrorControl(clock), r);
        MirrorName ghost = new MirrorName("ghost_mirror");
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> guarded.pause(ghost)).isInstanceOf(MirrorNotFoundException.class);
        }
        assertThat(r.views().get("peerdb_api")).isEqualTo(new Resilience.View("closed", 0));
    }

    @Test
    void engineCallsAreTriedOnceTheCallersRetryOnTheirOwnSchedule() {
        Resilience r = resilience(Map.of("MAX_RETRIES", "3", "RETRY_DELAY", "0.001", "RETRY_BACKOFF", "2.0",
                "PEERDB_FAILURE_THRESHOLD", "10"));
        InMemoryMirrorControl engine = new InMemoryMirrorControl(clock);
        Counting counting = new Counting(engine);
        MirrorControl guarded = new ResilientMirrorControl(counting, r);

        engine.failNextCreate(users, MirrorEngineException.retryable("timeout", null));
        assertThatThrownBy(() -> guarded.create(usersSpec)).hasMessage("timeout")
                .satisfies(e -> assertThat(((MirrorEngineException) e).isRetryable()).isTrue());
        assertThat(counting.calls).as("one attempt: no retry stacked on the engine's command timeout").hasValue(1);
        assertThat(guarded.create(usersSpec).name()).isEqualTo(usersSpec.name());
        assertThat(counting.calls).hasValue(2);

        counting.calls.set(0);
        TableRef orders = TableRef.of("public", "orders");
        engine.failNextCreate(orders, MirrorEngineException.fatal("no such table", null));
        MirrorSpec ordersSpec = WatchPolicy.fromCommaLists("public", "").specFor(orders);
        assertThatThrownBy(() -> guarded.create(ordersSpec)).hasMessage("no such table");
        assertThat(counting.calls).hasValue(1);

        counting.calls.set(0);
        engine.failWith(MirrorEngineException.retryable("still down", null));
        assertThatThrownBy(() -> guarded.pause(usersSpec.name())).hasMessage("still down");
        assertThatThrownBy(guarded::list).hasMessage("still down");
        assertThat(counting.calls).hasValue(2);
        assertThat(r.views().get("peerdb_api").failures()).as("each failed attempt since the last success, once").isEqualTo(2);
    }

    @Test
    void postgresBreakerGuardsCatalogAndDdlEvents() {
        Resilience r = seedLike();
        InMemorySourceCatalog catalog = new InMemorySourceCatalog();
        InMemoryDdlEventSource events = new InMemoryDdlEventSource(clock);
        var guardedCatalog = new ResilientSourceCatalog(catalog, r);
        var guardedEvents = new ResilientDdlEventSource(events, r);
        catalog.failWith(SourceUnavailableException.of("list tables", new RuntimeException("connection refused")));

        assertThatThrownBy(() -> guardedCatalog.listTables(Set.of("public"))).hasMessageContaining("connection refused");
        assertThatThrownBy(() -> guardedCatalog.listTables(Set.of("public"))).hasMessageContaining("connection refused");
        assertThat(r.views().get("postgres_connection")).isEqualTo(new Resilience.View("open", 2));
        // one breaker per database: the DDL source fails fast too, as a SourceUnavailableException
        assertThatThrownBy(() -> guardedEvents.read(0, 10, Duration.ZERO))
                .isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("circuit breaker 'postgres_connection' is open");
        assertThat(events.reads()).isZero();

        catalog.heal();
        clock.advance(Duration.ofSeconds(30).plusMillis(1));
        assertThat(guardedCatalog.listTables(Set.of("public"))).isEmpty();
        assertThat(r.views().get("postgres_connection")).isEqualTo(new Resilience.View("closed", 0));
        assertThat(guardedEvents.read(0, 10, Duration.ZERO)).isEmpty();
    }

    @Test
    void breakerStatesAreExportedToPrometheus() {
        Resilience r = seedLike();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        r.bindTo(registry);
        InMemoryMirrorControl engine = new InMemoryMirrorControl(clock);
        MirrorControl guarded = new ResilientMirrorControl(engine, r);
        engine.failWith(MirrorEngineException.retryable("down", null));
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(guarded::list).hasMessage("down");
        }
        String text = registry.scrape();
        assertThat(text).contains("resilience4j_circuitbreaker_state{name=\"peerdb_api\",state=\"open\"} 1.0");
        assertThat(text).contains("resilience4j_circuitbreaker_state{name=\"postgres_connection\",state=\"closed\"} 1.0");
        assertThat(text).contains("echodb_circuitbreaker_consecutive_failures{name=\"peerdb_api\"} 3.0");
    }
}
