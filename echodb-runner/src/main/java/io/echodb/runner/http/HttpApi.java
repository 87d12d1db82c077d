package io.echodb.runner.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.MirrorEngineException;
import io.echodb.core.port.MirrorNotFoundException;
import io.echodb.core.port.SinkUnavailableException;
import io.echodb.core.port.SourceUnavailableException;
import io.echodb.core.service.ConsistencyChecker;
import io.echodb.core.service.checksum.ChecksumUnavailableException;
import io.echodb.runner.config.Redactor;
import io.echodb.runner.config.Secret;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's HTTP API (Javalin): liveness, readiness, the seed's JSON metrics, Prometheus metrics, mirrors and
 * their token-protected commands, and on-demand consistency checks. Every error is JSON {@code {"error": ...}} with
 * secrets redacted.
 */
public final class HttpApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final String HANDLED = "echodb.handled";

    /** What the checker-only listener (CONSISTENCY_CHECKER_PORT) serves, vs. the full API. */
    public enum Surface { FULL, CONSISTENCY_CHECKER }

    private final ApiBackend backend;
    private final AdminAuth auth;
    private final Redactor redactor;
    private final Clock clock;
    private final List<String> defaultSchemas;
    private final ConsistencyChecker.Mode defaultMode;
    private final Javalin app;

    public HttpApi(ApiBackend backend, Secret adminToken, Redactor redactor, Clock clock, List<String> watchedSchemas, Surface surface) {
        this(backend, adminToken, redactor, clock, watchedSchemas, ConsistencyChecker.Mode.COUNT, surface);
    }

    /** {@code defaultMode}: what /verify and /verify-all check when the request names no mode (CONSISTENCY_MODE). */
    public HttpApi(ApiBackend backend, Secret adminToken, Redactor redactor, Clock clock, List<String> watchedSchemas,
                   ConsistencyChecker.Mode defaultMode, Surface surface) {
        this.backend = backend;
        this.defaultMode = defaultMode;
        this.auth = new AdminAuth(adminToken);
        this.redactor = redactor;
        this.clock = clock;
        this.defaultSchemas = List.copyOf(watchedSchemas);
        this.app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.jsonMapper(new JavalinJackson(objectMapper(), false));
            cfg.http.defaultContentType = "application/json";
        });
        routes(surface);
    }

    /** The JSON mapper of the API: ISO-8601 timestamps, snake_case names spelled out on each response type. */
    public static ObjectMapper objectMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    /** Starts listening; port 0 picks a free port (see {@link #port()}). */
    public HttpApi start(String host, int port) {
        app.start(host, port);
        return this;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    private void routes(Surface surface) {
        app.get("/health", this::health);
        app.get("/verify", this::verify);
        app.get("/verify-all", this::verifyAll);
        if (surface == Surface.FULL) {
            app.get("/ready", this::ready);
            app.get("/metrics", this::metrics);
            app.get("/metrics/prometheus", this::prometheus);
            app.get("/mirrors", this::mirrors);
            app.get("/mirrors/{name}", this::mirror);
            app.post("/mirrors/{name}/pause", ctx -> command(ctx, "paused", n -> backend.mirrors().pause(n)));
            app.post("/mirrors/{name}/resume", ctx -> command(ctx, "resumed", n -> backend.mirrors().resume(n)));
            app.post("/mirrors/{name}/resync", ctx -> command(ctx, "resync_started", n -> backend.mirrors().resync(n)));
        }
        app.exception(MirrorNotFoundException.class, (e, ctx) -> error(ctx, HttpStatus.NOT_FOUND, e.getMessage()));
        app.exception(NotFoundException.class, (e, ctx) -> error(ctx, HttpStatus.NOT_FOUND, e.getMessage()));
        app.exception(MirrorEngineException.class, (e, ctx) -> error(ctx, HttpStatus.SERVICE_UNAVAILABLE, e.getMessage()));
        app.exception(SourceUnavailableException.class, (e, ctx) -> error(ctx, HttpStatus.SERVICE_UNAVAILABLE, e.getMessage()));
        app.exception(SinkUnavailableException.class, (e, ctx) -> error(ctx, HttpStatus.SERVICE_UNAVAILABLE, e.getMessage()));
        app.exception(InvalidValueException.class, (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST, e.getMessage()));
        app.exception(ChecksumUnavailableException.class, (e, ctx) -> error(ctx, HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, HttpStatus.INTERNAL_SERVER_ERROR, "internal error: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        });
        app.error(HttpStatus.NOT_FOUND, ctx -> {
            if (ctx.attribute(HANDLED) == null) {
                error(ctx, HttpStatus.NOT_FOUND, "no such endpoint: " + ctx.method() + " " + ctx.path());
            }
        });
        app.error(HttpStatus.METHOD_NOT_ALLOWED, ctx -> {
            if (ctx.attribute(HANDLED) == null) {
                error(ctx, HttpStatus.METHOD_NOT_ALLOWED, "method not allowed: " + ctx.method() + " " + ctx.path());
            }
        });
    }

    private void health(Context ctx) {
        WorkerSnapshot w = backend.worker();
        String reason = !w.running() ? "shutting down" : w.deadLoop();
        ctx.status(w.healthy() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .json(new Responses.Health(w.healthy() ? "healthy" : "unhealthy", w.workerId(), w.leader(), w.uptimeSeconds(),
                        reason == null ? null : redactor.redact(reason)));
    }

    private void ready(Context ctx) {
        ReadinessReport r = backend.readiness();
        ReadinessReport redacted = new ReadinessReport(r.checks().entrySet().stream().collect(
                java.util.stream.Collectors.toMap(java.util.Map.Entry::getKey,
                        e -> new ReadinessReport.Check(e.getValue().ok(), redactor.redact(e.getValue().detail())),
                        (a, b) -> a, java.util.LinkedHashMap::new)));
        ctx.status(r.ready() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .json(new Responses.Ready(r.ready(), redacted.checks()));
    }

    private void metrics(Context ctx) {
        WorkerSnapshot w = backend.worker();
        ctx.status(w.running() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .json(Responses.Metrics.of(w, backend.breakers(), Responses.Replication.of(backend.replication()), redactor));
    }

    private void prometheus(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(backend.prometheusScrape());
    }

    private void mirrors(Context ctx) {
        List<Responses.Mirror> all = backend.mirrors().list().stream().map(s -> Responses.Mirror.of(s, redactor)).toList();
        ctx.json(new Responses.MirrorList(all.size(), all, Responses.Replication.of(backend.replication())));
    }

    private void mirror(Context ctx) {
        Optional<MirrorName> name = parseName(ctx);
        Optional<MirrorStatus> status = name.flatMap(n -> backend.mirrors().status(n));
        if (status.isEmpty()) {
            error(ctx, HttpStatus.NOT_FOUND, "no mirror named '" + ctx.pathParam("name") + "'");
            return;
        }
        ctx.json(Responses.Mirror.of(status.get(), redactor));
    }

    private void command(Context ctx, String action, Consumer<MirrorName> run) {
        switch (auth.check(ctx.header("Authorization"))) {
            case DISABLED -> {
                error(ctx, HttpStatus.FORBIDDEN, "mutating endpoints are disabled: set ADMIN_TOKEN to enable them");
                return;
            }
            case MISSING -> {
                ctx.header("WWW-Authenticate", "Bearer realm=\"echodb\"");
                error(ctx, HttpStatus.UNAUTHORIZED, "missing 'Authorization: Bearer <ADMIN_TOKEN>' header");
                return;
            }
            case WRONG -> {
                ctx.header("WWW-Authenticate", "Bearer realm=\"echodb\", error=\"invalid_token\"");
                error(ctx, HttpStatus.UNAUTHORIZED, "invalid admin token");
                return;
            }
            case ALLOWED -> { }
        }
        Optional<MirrorName> name = parseName(ctx);
        if (name.isEmpty()) {
            error(ctx, HttpStatus.NOT_FOUND, "no mirror named '" + ctx.pathParam("name") + "'");
            return;
        }
        if (!backend.isLeader()) {
            error(ctx, HttpStatus.CONFLICT, "this worker (" + backend.worker().workerId()
                    + ") is not the leader; send the command to the leader");
            return;
        }
        run.accept(name.get());
        LOG.info("mirror {} {} on request from {}", name.get(), action, ctx.ip());
        MirrorStatus status = backend.mirrors().status(name.get()).orElseThrow(() -> MirrorNotFoundException.of(name.get()));
        ctx.json(new Responses.Command(name.get().value(), action, Responses.Mirror.of(status, redactor)));
    }

    private void verify(Context ctx) {
        String table = ctx.queryParam("table");
        if (table == null || table.isBlank()) {
            error(ctx, HttpStatus.BAD_REQUEST, "query parameter 'table' is required: /verify?schema=public&table=users");
            return;
        }
        String schema = Optional.ofNullable(ctx.queryParam("schema")).filter(s -> !s.isBlank()).orElse(defaultSchemas.get(0));
        ConsistencyReport report = backend.verify(TableRef.of(schema, table), mode(ctx));
        ctx.json(Responses.Verification.of(report));
    }

    private void verifyAll(Context ctx) {
        ctx.json(Responses.VerifyAll.of(backend.verifyAll(mode(ctx)), clock.instant(), redactor));
    }

    /** {@code ?mode=count|checksum}; the configured default when absent. */
    private ConsistencyChecker.Mode mode(Context ctx) {
        String m = ctx.queryParam("mode");
        return m == null || m.isBlank() ? defaultMode : ConsistencyChecker.Mode.parse(m);
    }

    private static Optional<MirrorName> parseName(Context ctx) {
        try {
            return Optional.of(new MirrorName(ctx.pathParam("name")));
        } catch (InvalidValueException e) {
            return Optional.empty();
        }
    }

    private void error(Context ctx, HttpStatus status, String message) {
        ctx.attribute(HANDLED, Boolean.TRUE);
        ctx.status(status).json(new Responses.Error(redactor.redact(message)));
    }
}
