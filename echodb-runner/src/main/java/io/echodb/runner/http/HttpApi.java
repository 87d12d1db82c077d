package io.echodb.runner.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.echodb.core.model.ConsistencyReport;
import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.in.MirrorEngineException;
import io.echodb.core.port.in.MirrorNotFoundException;
import io.echodb.core.port.out.SinkUnavailableException;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.core.service.ConsistencyChecker;
import io.echodb.core.service.checksum.ChecksumUnavailableException;
import io.echodb.runner.config.Redactor;
import io.echodb.runner.config.Secret;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
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
    private final CommandJobs jobs;
    private final java.util.concurrent.ThreadPoolExecutor reads;

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
        this.jobs = new CommandJobs(4, 32, clock);
        this.reads = CommandJobs.daemonPool("echodb-api-read-", 4, 32);
        this.app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            if (surface == Surface.FULL) {
                cfg.staticFiles.add(files -> {
                    files.hostedPath = "/console";
                    files.directory = "/console";
                    files.location = io.javalin.http.staticfiles.Location.CLASSPATH;
                    files.headers = SECURITY_HEADERS;
                });
            }
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
        jobs.close();
        reads.shutdownNow();
    }

    /**
     * Sent with every answer: the console runs only its own scripts and styles, talks only to this worker, and is never
     * framed; nothing is cached or sniffed.
     */
    static final java.util.Map<String, String> SECURITY_HEADERS = java.util.Map.of(
            "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
                    + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            "X-Frame-Options", "DENY",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer",
            "Cache-Control", "no-store");

    private void routes(Surface surface) {
        app.before(ctx -> SECURITY_HEADERS.forEach(ctx::header));
        app.get("/health", ctx -> bounded(ctx, "/health", () -> health(ctx)));
        app.get("/verify", this::verify);
        app.get("/verify-all", this::verifyAll);
        app.get("/commands", ctx -> ctx.json(new Responses.JobList(jobs.recent().stream().map(this::jobStatus).toList())));
        app.get("/commands/{id}", this::job);
        if (surface == Surface.FULL) {
            app.get("/ready", ctx -> bounded(ctx, "/ready", () -> ready(ctx)));
            app.get("/metrics", ctx -> bounded(ctx, "/metrics", () -> metrics(ctx)));
            app.get("/metrics/prometheus", ctx -> bounded(ctx, "/metrics/prometheus", () -> prometheus(ctx)));
            app.get("/mirrors", ctx -> bounded(ctx, "/mirrors", () -> mirrors(ctx)));
            app.get("/mirrors/{name}", ctx -> bounded(ctx, "/mirrors/{name}", () -> mirror(ctx)));
            app.get("/", this::console);
            app.get("/worker", ctx -> bounded(ctx, "/worker", () -> Reply.json(HttpStatus.OK,
                    Responses.Worker.of(backend.worker(), backend.workerDetails(), backend.breakers()))));
            app.get("/history", ctx -> ctx.json(new Responses.History(3600, backend.lagHistory().stream()
                    .map(x -> new Responses.Sample(x.at(), x.lagSeconds(), x.lagBytes(), x.retainedWalBytes())).toList())));
            app.get("/activity", ctx -> ctx.json(new Responses.Activity(backend.activity().stream()
                    .map(a -> new Responses.ActivityEntry(a.at(), a.kind(), a.subject(),
                            a.detail() == null ? null : redactor.redact(a.detail()))).toList())));
            app.get("/consistency", ctx -> ctx.json(new Responses.LastChecks(
                    backend.lastChecks().stream().map(Responses.Verification::of).toList())));
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
        app.exception(AnswerTimeoutException.class, (e, ctx) -> error(ctx, HttpStatus.SERVICE_UNAVAILABLE, e.getMessage()));
        app.exception(JobsBusyException.class, (e, ctx) -> error(ctx, HttpStatus.SERVICE_UNAVAILABLE, e.getMessage()));
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

    /** What a read answers: computed off the request thread, written by it. */
    private record Reply(HttpStatus status, Object json, String text) {
        static Reply json(HttpStatus status, Object body) {
            return new Reply(status, body, null);
        }
    }

    /** The longest a read keeps its request waiting (the API answers within 2 s whatever its dependencies do). */
    static final Duration READ_WITHIN = Duration.ofMillis(1800);
    /** How long a command or check request waits for its job before answering 202 with the job to poll. */
    static final Duration JOB_WAIT = Duration.ofMillis(1500);

    /** Computes a read on the read pool and writes it, or answers 503 when it takes longer than {@link #READ_WITHIN}. */
    private void bounded(Context ctx, String what, Supplier<Reply> read) {
        java.util.concurrent.Future<Reply> f;
        try {
            f = reads.submit(read::get);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw AnswerTimeoutException.of(what + " (too many slow reads already waiting)", READ_WITHIN);
        }
        Reply r;
        try {
            r = f.get(READ_WITHIN.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            f.cancel(true);
            throw AnswerTimeoutException.of(what, READ_WITHIN);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AnswerTimeoutException.of(what, READ_WITHIN);
        }
        if (r.text() != null) {
            ctx.status(r.status()).contentType("text/plain; version=0.0.4; charset=utf-8").result(r.text());
        } else if (r.status().getCode() >= 400 && r.json() instanceof Responses.Error) {
            ctx.attribute(HANDLED, Boolean.TRUE);
            ctx.status(r.status()).json(r.json());
        } else {
            ctx.status(r.status()).json(r.json());
        }
    }

    /** The web console's page (bundled in the jar; its script and style are under /console/). */
    private void console(Context ctx) throws java.io.IOException {
        try (java.io.InputStream page = HttpApi.class.getResourceAsStream("/console/index.html")) {
            if (page == null) {
                error(ctx, HttpStatus.NOT_FOUND, "the console is not bundled in this build");
                return;
            }
            ctx.contentType("text/html; charset=utf-8").result(page.readAllBytes());
        }
    }

    private Reply health(Context ctx) {
        WorkerSnapshot w = backend.worker();
        String reason = !w.running() ? "shutting down" : w.deadLoop();
        return Reply.json(w.healthy() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE,
                new Responses.Health(w.healthy() ? "healthy" : "unhealthy", w.workerId(), w.leader(), w.uptimeSeconds(),
                        reason == null ? null : redactor.redact(reason)));
    }

    private Reply ready(Context ctx) {
        ReadinessReport r = backend.readiness();
        ReadinessReport redacted = new ReadinessReport(r.checks().entrySet().stream().collect(
                java.util.stream.Collectors.toMap(java.util.Map.Entry::getKey,
                        e -> new ReadinessReport.Check(e.getValue().ok(), redactor.redact(e.getValue().detail())),
                        (a, b) -> a, java.util.LinkedHashMap::new)));
        return Reply.json(r.ready() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE,
                new Responses.Ready(r.ready(), redacted.checks()));
    }

    private Reply metrics(Context ctx) {
        WorkerSnapshot w = backend.worker();
        return Reply.json(w.running() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE,
                Responses.Metrics.of(w, backend.breakers(), Responses.Replication.of(backend.replication()), redactor));
    }

    private Reply prometheus(Context ctx) {
        return new Reply(HttpStatus.OK, null, backend.prometheusScrape());
    }

    private Reply mirrors(Context ctx) {
        List<Responses.Mirror> all = backend.mirrors().list().stream().map(s -> Responses.Mirror.of(s, redactor)).toList();
        return Reply.json(HttpStatus.OK, new Responses.MirrorList(all.size(), all, Responses.Replication.of(backend.replication())));
    }

    private Reply mirror(Context ctx) {
        Optional<MirrorName> name = parseName(ctx);
        Optional<MirrorStatus> status = name.flatMap(n -> backend.mirrors().status(n));
        if (status.isEmpty()) {
            return Reply.json(HttpStatus.NOT_FOUND, new Responses.Error(redactor.redact("no mirror named '" + ctx.pathParam("name") + "'")));
        }
        return Reply.json(HttpStatus.OK, Responses.Mirror.of(status.get(), redactor));
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
        MirrorName mirror = name.get();
        String from = ctx.ip();
        CommandJobs.Job job = jobs.submit(action, mirror.value(), () -> {
            run.accept(mirror);
            LOG.info("mirror {} {} on request from {}", mirror, action, from);
            MirrorStatus status = backend.mirrors().status(mirror).orElseThrow(() -> MirrorNotFoundException.of(mirror));
            return new Responses.Command(mirror.value(), action, Responses.Mirror.of(status, redactor));
        });
        answer(ctx, job);
    }

    /** The job's result when it finishes soon, else 202 with where to poll it; a quick failure answers as itself. */
    private void answer(Context ctx, CommandJobs.Job job) {
        ctx.header("X-EchoDB-Command", job.id());
        Optional<Object> result = CommandJobs.await(job, JOB_WAIT);
        if (result.isPresent()) {
            ctx.json(result.get());
        } else {
            ctx.status(HttpStatus.ACCEPTED).header("Location", "/commands/" + job.id()).json(jobStatus(job));
        }
    }

    private void job(Context ctx) {
        Optional<CommandJobs.Job> job = jobs.find(ctx.pathParam("id"));
        if (job.isEmpty()) {
            error(ctx, HttpStatus.NOT_FOUND, "no command '" + ctx.pathParam("id") + "' (the latest " + CommandJobs.KEPT
                    + " are kept)");
            return;
        }
        ctx.json(jobStatus(job.get()));
    }

    private Responses.JobStatus jobStatus(CommandJobs.Job job) {
        Optional<RuntimeException> failure = job.failure();
        Integer code = switch (job.state()) {
            case RUNNING -> null;
            case SUCCEEDED -> HttpStatus.OK.getCode();
            case FAILED -> statusFor(failure.orElse(null)).getCode();
        };
        return new Responses.JobStatus(job.id(), job.kind(), job.target(), job.state().name().toLowerCase(java.util.Locale.ROOT),
                job.submittedAt(), job.finishedAt().orElse(null), code, job.result().orElse(null),
                failure.map(e -> redactor.redact(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())).orElse(null),
                "/commands/" + job.id());
    }

    /** The HTTP status a request that failed this way answers (as the exception handlers do). */
    private static HttpStatus statusFor(RuntimeException e) {
        if (e instanceof MirrorNotFoundException || e instanceof NotFoundException) {
            return HttpStatus.NOT_FOUND;
        }
        if (e instanceof MirrorEngineException || e instanceof SourceUnavailableException
                || e instanceof SinkUnavailableException) {
            return HttpStatus.SERVICE_UNAVAILABLE;
        }
        if (e instanceof InvalidValueException) {
            return HttpStatus.BAD_REQUEST;
        }
        if (e instanceof ChecksumUnavailableException) {
            return HttpStatus.UNPROCESSABLE_CONTENT;
        }
        return HttpStatus.INTERNAL_SERVER_ERROR;
    }

    private void verify(Context ctx) {
        String table = ctx.queryParam("table");
        if (table == null || table.isBlank()) {
            error(ctx, HttpStatus.BAD_REQUEST, "query parameter 'table' is required: /verify?schema=public&table=users");
            return;
        }
        String schema = Optional.ofNullable(ctx.queryParam("schema")).filter(s -> !s.isBlank()).orElse(defaultSchemas.get(0));
        TableRef ref = TableRef.of(schema, table);
        ConsistencyChecker.Mode mode = mode(ctx);
        answer(ctx, jobs.submit("verify", ref.qualified(), () -> Responses.Verification.of(backend.verify(ref, mode))));
    }

    private void verifyAll(Context ctx) {
        ConsistencyChecker.Mode mode = mode(ctx);
        answer(ctx, jobs.submit("verify_all", null,
                () -> Responses.VerifyAll.of(backend.verifyAll(mode), clock.instant(), redactor)));
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
