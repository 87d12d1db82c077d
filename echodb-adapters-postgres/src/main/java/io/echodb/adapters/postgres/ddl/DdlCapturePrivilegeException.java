package io.echodb.adapters.postgres.ddl;

import io.echodb.adapters.postgres.jdbc.PgQuoting;
/**
 * The connected role may not install DDL capture. PostgreSQL lets only superusers create event triggers (true of every
 * release through 18; there is no grantable privilege for it). Managed services give their admin role that power:
 * {@code rds_superuser} on Amazon RDS / Aurora, {@code cloudsqlsuperuser} on Google Cloud SQL.
 * {@link #adminSql()} is the script an administrator can run once instead.
 */
public final class DdlCapturePrivilegeException extends RuntimeException {

    private final String adminSql;

    private DdlCapturePrivilegeException(String message, String adminSql, Throwable cause) {
        super(message, cause);
        this.adminSql = adminSql;
    }

    static DdlCapturePrivilegeException of(String role, String database, String serverMessage, String adminSql, Throwable cause) {
        return new DdlCapturePrivilegeException("cannot install DDL capture in database '" + database + "' as role '" + role
                + "': creating event triggers requires superuser in PostgreSQL (every version through 18; on Amazon RDS/Aurora "
                + "a member of rds_superuser, on Google Cloud SQL a member of cloudsqlsuperuser). Either connect as such a "
                + "role once, or have an administrator run this script (also available as adminSql()):\n" + adminSql
                + "\nServer said: " + serverMessage, adminSql, cause);
    }

    /** The role may not create the capture schema's tables either: the catalog sweep needs CREATE on the database. */
    static DdlCapturePrivilegeException forCatalogSweep(String role, String database, String schema, String serverMessage,
                                                        Throwable cause) {
        String grant = "GRANT CREATE ON DATABASE " + PgQuoting.ident(database) + " TO " + PgQuoting.ident(role) + ";";
        return new DdlCapturePrivilegeException("cannot install DDL capture in database '" + database + "' as role '" + role
                + "': event triggers need a superuser, and capture without them (the catalog sweep) needs the right to"
                + " create schema '" + schema + "'. Have an administrator run: " + grant + " Server said: " + serverMessage,
                grant, cause);
    }

    /** The install script, with the grants the worker role needs, for an administrator to run. */
    public String adminSql() {
        return adminSql;
    }
}
