package io.echodb.runner.resilience;

import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.in.MirrorNotFoundException;
import io.echodb.core.port.out.SinkUnavailableException;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.runner.config.EchoDbConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.circuitbreaker.IllegalStateTransitionException;
import io.github.resilience4j.circuitbreaker.internal.CircuitBreakerStateMachine;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The runner's resilience policies (never in core). The two circuit breakers of the seed, with its semantics: {@code failureThreshold} consecutive failures open the
 * breaker; after {@code openWait} trial calls are let through; {@code successThreshold} successes close it and any
 * failure re-opens it. {@code peerdb_api} guards the mirror engine (whatever the engine), {@code postgres_connection}
 * guards the source database's control-plane calls. Mirror-engine commands are also retried with exponential backoff.
 */
public final class Resilience {

    public static final String MIRROR_ENGINE = "peerdb_api";
    public static final String POSTGRES = "postgres_connection";

    /** What /metrics shows per breaker: the seed's {@code {"state", "failures"}}. */
    public record View(String state, int failures) { }

    private final CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
    private final Map<String, AtomicInteger> consecutiveFailures = new ConcurrentHashMap<>();

    public Resilience(EchoDbConfig.Resilience config, Clock clock) {
        add(MIRROR_ENGINE, config.mirrorEngine(), Resilience::isMirrorEngineFailure, clock);
        add(POSTGRES, config.postgres(), Resilience::isConnectionFailure, clock);
    }

    public CircuitBreaker mirrorEngine() {
        return registry.circuitBreaker(MIRROR_ENGINE);
    }

    public CircuitBreaker postgres() {
        return registry.circuitBreaker(POSTGRES);
    }

    /** Breaker name → state and consecutive failures, in a stable order. */
    public Map<String, View> views() {
        Map<String, View> out = new LinkedHashMap<>();
        for (String name : new String[] {MIRROR_ENGINE, POSTGRES}) {
            CircuitBreaker cb = registry.circuitBreaker(name);
            out.put(name, new View(stateName(cb.getState()), consecutiveFailures.get(name).get()));
        }
        return out;
    }

    /** resilience4j's own meters (state, calls, failure rate) plus the seed's consecutive-failure count. */
    public void bindTo(MeterRegistry meters) {
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
        consecutiveFailures.forEach((name, counter) -> Gauge.builder("echodb.circuitbreaker.consecutive.failures", counter, AtomicInteger::get)
                .description("Consecutive failures counted by the breaker (the seed's failure_count)")
                .tag("name", name)
                .register(meters));
    }

    /**
     * Called by the decorators after a failed call: in the seed any failure during the trial phase re-opens the
     * breaker at once, while resilience4j would wait for all trial calls. Done after the call so the state machine
     * has finished recording it.
     */
    static void reopenIfTrialFailed(CircuitBreaker cb, Throwable error) {
        if (cb.getState() == CircuitBreaker.State.HALF_OPEN && cb.getCircuitBreakerConfig().getRecordExceptionPredicate().test(error)) {
            try {
                cb.transitionToOpenState();
            } catch (IllegalStateTransitionException concurrentTransition) {
                // another thread moved the breaker already; its state wins
            }
        }
    }

    static String stateName(CircuitBreaker.State state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Engine failures that say the engine (or what it talks to) is unwell: retryable engine errors and unreachable
     * source or target. A missing mirror, a refused request or a fatal per-table error is the caller's problem.
     */
    static boolean isMirrorEngineFailure(Throwable t) {
        if (t instanceof MirrorNotFoundException) {
            return false;
        }
        if (t instanceof MirrorEngineException e) {
            return e.isRetryable();
        }
        return t instanceof SourceUnavailableException || t instanceof SinkUnavailableException;
    }

    /** Only failures to reach PostgreSQL count; an error PostgreSQL answered with means the connection works. */
    static boolean isConnectionFailure(Throwable t) {
        return t instanceof SourceUnavailableException;
    }

    private void add(String name, EchoDbConfig.Breaker settings, Predicate<Throwable> recorded, Clock clock) {
        CircuitBreakerConfig cfg = CircuitBreakerConfig.custom()
                // N consecutive failures: a count window of N that opens only when all N failed
                .slidingWindow(settings.failureThreshold(), settings.failureThreshold(), CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .failureRateThreshold(100f)
                .permittedNumberOfCallsInHalfOpenState(settings.successThreshold())
                .waitDurationInOpenState(settings.openWait())
                .recordException(recorded)
                .build();
        registry.circuitBreaker(name, cfg);
        CircuitBreaker cb = new CircuitBreakerStateMachine(name, cfg, clock);
        registry.replace(name, cb);
        AtomicInteger failures = new AtomicInteger();
        consecutiveFailures.put(name, failures);
        cb.getEventPublisher()
                .onError(e -> failures.incrementAndGet())
                .onSuccess(e -> {
                    if (cb.getState() == CircuitBreaker.State.CLOSED) {
                        failures.set(0);
                    }
                })
                .onStateTransition(e -> {
                    if (e.getStateTransition().getToState() == CircuitBreaker.State.CLOSED) {
                        failures.set(0);
                    }
                });
    }
}
