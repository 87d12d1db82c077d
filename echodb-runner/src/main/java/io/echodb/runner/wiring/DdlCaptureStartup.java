package io.echodb.runner.wiring;

import io.echodb.adapters.postgres.ddl.DdlCaptureInstaller;
import io.echodb.adapters.postgres.ddl.DdlCaptureMode;
import io.echodb.adapters.postgres.ddl.DdlCapturePrivilegeException;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.runner.config.EchoDbConfig;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Installs DDL capture at start-up, waiting for PostgreSQL to be reachable, then hands it to the runner. */
final class DdlCaptureStartup {

    /** Wiring's logger: these lines kept their logger name when they moved here. */
    private static final Logger LOG = LoggerFactory.getLogger(Wiring.class);

    private final EchoDbConfig config;
    private final DdlCaptureInstaller ddlCapture;
    private final DdlCaptureRunner ddlCaptureRunner;

    DdlCaptureStartup(EchoDbConfig config, DdlCaptureInstaller ddlCapture, DdlCaptureRunner ddlCaptureRunner) {
        this.config = Objects.requireNonNull(config, "config");
        this.ddlCapture = Objects.requireNonNull(ddlCapture, "ddlCapture");
        this.ddlCaptureRunner = Objects.requireNonNull(ddlCaptureRunner, "ddlCaptureRunner");
    }

    /** Retries while PostgreSQL is unreachable; throws {@link StartupException} when it stays so or refuses. */
    void install() {
        EchoDbConfig.Postgres p = config.postgres();
        for (int attempt = 1; ; attempt++) {
            try {
                DdlCaptureInstaller.Outcome outcome = ddlCapture.install(DdlCaptureMode.parse(config.autoMirror().ddlCapture()));
                LOG.info("DDL capture: {}", outcome);
                ddlCaptureRunner.start(outcome);
                return;
            } catch (DdlCapturePrivilegeException e) {
                LOG.error("{}", e.getMessage());
                throw StartupException.of(e.getMessage(), e);
            } catch (SourceUnavailableException e) {
                if (attempt >= p.maxReconnectAttempts()) {
                    throw StartupException.of("cannot reach PostgreSQL at " + p.host() + ":" + p.port() + "/" + p.database()
                            + " after " + attempt + " attempts: " + e.getMessage(), e);
                }
                LOG.warn("PostgreSQL not reachable yet (attempt {}/{}), retrying in {}: {}", attempt,
                        p.maxReconnectAttempts(), p.reconnectDelay(), e.getMessage());
                try {
                    Thread.sleep(p.reconnectDelay().toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw StartupException.of("interrupted while waiting for PostgreSQL", ie);
                }
            } catch (RuntimeException e) {
                throw StartupException.of("cannot install DDL capture: " + e.getMessage(), e);
            }
        }
    }
}
