package io.echodb.adapters.postgres.ddl;

import io.echodb.core.port.out.SourceUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs durable DDL capture in the source database: the outbox, cursor and known-tables tables, the trigger functions
 * and the two event triggers ({@code ddl_command_end}, {@code sql_drop}). Idempotent: every install runs the whole
 * script in one transaction (CREATE ... IF NOT EXISTS, CREATE OR REPLACE FUNCTION, DROP EVENT TRIGGER IF EXISTS +
 * CREATE), so a re-install upgrades the functions and never leaves a half-installed state.
 */
public final class DdlCaptureInstaller {

    /** What {@link #install()} did. */
    public enum Outcome {
        /** The script ran: capture is installed and current. */
        INSTALLED,
        /** This role may not (re)install, but an administrator already installed capture; it was left as is. */
        KEPT_EXISTING,
        /** Installed without event triggers: a {@link CatalogSweep} must run to capture DDL. */
        CATALOG_SWEEP;

        /** True when DDL is captured only if a {@link CatalogSweep} runs. */
        public boolean needsSweep() {
            return this == CATALOG_SWEEP;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(DdlCaptureInstaller.class);
    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private final ConnectionFactory connections;
    private final DdlCaptureSettings settings;
    private final DdlCaptureScript script;

    public DdlCaptureInstaller(ConnectionFactory connections, DdlCaptureSettings settings) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.script = new DdlCaptureScript(settings);
    }

    public DdlCaptureSettings settings() {
        return settings;
    }

    /**
     * Installs capture in {@code mode}. {@link DdlCaptureMode#AUTO} installs the event triggers when this role may (or
     * keeps an administrator's installation), else installs for the catalog sweep and logs what that mode cannot do.
     */
    public Outcome install(DdlCaptureMode mode) {
        return switch (mode) {
            case EVENT_TRIGGERS -> install();
            case CATALOG -> installForCatalogSweep();
            case AUTO -> {
                try {
                    yield install();
                } catch (DdlCapturePrivilegeException e) {
                    LOG.warn("DDL capture: this role may not create event triggers ({}), so DDL is captured by"
                            + " sweeping the catalog instead", e.getCause() == null ? "superuser only" : e.getCause().getMessage());
                    yield installForCatalogSweep();
                }
            }
        };
    }

    /**
     * Installs the capture schema's tables and functions without event triggers, and records the catalog once when no
     * sweep ever did. Needs only CREATE on the database (or on an existing capture schema).
     */
    public Outcome installForCatalogSweep() {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + installLockKey() + ")");
                // a sweep running now writes the capture tables this install alters: let it finish first
                int[] sweep = CatalogSweep.sweepLockKeys(settings);
                st.execute("SELECT pg_advisory_xact_lock(" + sweep[0] + ", " + sweep[1] + ")");
                for (String sql : script.catalogModeStatements()) {
                    st.execute(sql);
                }
                c.commit();
            } catch (SQLException e) {
                rollbackQuietly(c);
                if (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                    String[] who = roleAndDatabase(c);
                    throw DdlCapturePrivilegeException.forCatalogSweep(who[0], who[1], settings.schema(), e.getMessage(), e);
                }
                throw failure("install DDL capture for the catalog sweep in schema " + settings.schema(), e);
            }
        } catch (SQLException e) {
            throw failure("install DDL capture", e);
        }
        try (CatalogSweep sweep = new CatalogSweep(connections, settings, java.time.Clock.systemUTC())) {
            sweep.recordIfFirst();
        }
        LOG.info("DDL capture installed in schema {} for the catalog sweep (no event triggers)", settings.schema());
        return Outcome.CATALOG_SWEEP;
    }

    /**
     * Installs or refreshes capture with event triggers. Throws {@link DdlCapturePrivilegeException} (with the admin script) when the role
     * may not create event triggers and capture is not installed yet, {@link SourceUnavailableException} when the
     * database cannot be reached.
     */
    public Outcome install() {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                // two workers starting together must not race on CREATE ... IF NOT EXISTS
                st.execute("SELECT pg_advisory_xact_lock(" + installLockKey() + ")");
                // a sweep running now writes the capture tables this install alters: let it finish first
                int[] sweep = CatalogSweep.sweepLockKeys(settings);
                st.execute("SELECT pg_advisory_xact_lock(" + sweep[0] + ", " + sweep[1] + ")");
                for (String sql : script.installStatements()) {
                    st.execute(sql);
                }
                c.commit();
                LOG.info("DDL capture installed in schema {} (event triggers {}, {})", settings.schema(),
                        settings.endTriggerName(), settings.dropTriggerName());
                return Outcome.INSTALLED;
            } catch (SQLException e) {
                rollbackQuietly(c);
                if (!INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                    throw failure("install DDL capture", e);
                }
                if (isInstalled(c)) {
                    LOG.warn("DDL capture is installed in schema {} but this role may not refresh it ({}); keeping it",
                            settings.schema(), e.getMessage());
                    return Outcome.KEPT_EXISTING;
                }
                String[] who = roleAndDatabase(c);
                throw DdlCapturePrivilegeException.of(who[0], who[1], e.getMessage(), adminScript(who[0]), e);
            }
        } catch (SQLException e) {
            throw failure("install DDL capture", e);
        }
    }

    /** True when both event triggers exist and are enabled and the outbox exists. */
    public boolean isInstalled() {
        try (Connection c = connect()) {
            return isInstalled(c);
        } catch (SQLException e) {
            throw failure("check DDL capture", e);
        }
    }

    /** Drops the event triggers and, when {@code dropSchema}, the capture schema with every captured event. */
    public void uninstall(boolean dropSchema) {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                for (String sql : script.uninstallStatements(dropSchema)) {
                    st.execute(sql);
                }
                c.commit();
            } catch (SQLException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw failure("uninstall DDL capture", e);
        }
    }

    /** The install script plus the grants {@code workerRole} needs, for an administrator to run as a superuser. */
    public String adminScript(String workerRole) {
        List<String> all = new ArrayList<>(script.installStatements());
        all.addAll(script.workerGrants(workerRole));
        StringBuilder sb = new StringBuilder("BEGIN;\n");
        for (String sql : all) {
            sb.append(sql).append(";\n");
        }
        return sb.append("COMMIT;\n").toString();
    }

    private boolean isInstalled(Connection c) throws SQLException {
        boolean wasAuto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT (SELECT count(*) FROM pg_catalog.pg_event_trigger WHERE evtname IN (?, ?) AND evtenabled <> 'D') = 2 "
                        + "AND to_regclass(?) IS NOT NULL")) {
            ps.setString(1, settings.endTriggerName());
            ps.setString(2, settings.dropTriggerName());
            ps.setString(3, script.qualified(DdlCaptureScript.OUTBOX));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } finally {
            c.setAutoCommit(wasAuto);
        }
    }

    private static String[] roleAndDatabase(Connection c) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_user, current_database()")) {
            rs.next();
            return new String[] {rs.getString(1), rs.getString(2)};
        } catch (SQLException e) {
            return new String[] {"?", "?"};
        }
    }

    private long installLockKey() {
        return ("echodb_ddl_install:" + settings.schema()).hashCode();
    }

    private Connection connect() {
        try {
            return connections.connect();
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("28")) {
                // refused credentials or TLS verification: waiting will not help, say why at once
                throw new IllegalStateException(e.getMessage(), e);
            }
            throw SourceUnavailableException.of("connect for DDL capture", e);
        }
    }

    static RuntimeException failure(String what, SQLException e) {
        String state = e.getSQLState();
        // a deadlock or a serialization failure ended the transaction, and trying again will do
        if (state == null || state.startsWith("08") || state.startsWith("57P") || "40P01".equals(state)
                || "40001".equals(state)) {
            return SourceUnavailableException.of(what, e);
        }
        return new IllegalStateException("failed to " + what + ": " + e.getMessage(), e);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is closed next anyway
        }
    }
}
