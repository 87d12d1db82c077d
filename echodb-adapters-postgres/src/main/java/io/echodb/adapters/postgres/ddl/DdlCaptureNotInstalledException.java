package io.echodb.adapters.postgres.ddl;

/** The DDL outbox is missing from the source database: {@link DdlCaptureInstaller#install()} has not run there. */
public final class DdlCaptureNotInstalledException extends IllegalStateException {

    private DdlCaptureNotInstalledException(String message, Throwable cause) {
        super(message, cause);
    }

    static DdlCaptureNotInstalledException of(String schema, Throwable cause) {
        return new DdlCaptureNotInstalledException("DDL capture is not installed: schema '" + schema
                + "' has no outbox; DdlCaptureInstaller.install() creates it (EchoDB does at start-up)", cause);
    }
}
