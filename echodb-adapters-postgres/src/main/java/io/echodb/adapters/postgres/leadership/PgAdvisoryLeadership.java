package io.echodb.adapters.postgres.leadership;

import io.echodb.adapters.postgres.ddl.ConnectionFactory;
import io.echodb.adapters.postgres.jdbc.PgQuoting;
import io.echodb.core.model.InvalidValueException;
import io.echodb.core.model.Lease;
import io.echodb.core.port.out.Leadership;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership through a PostgreSQL session-level advisory lock: no extra service needed.
 *
 * <p>A dedicated session holds {@code pg_try_advisory_lock(key)}; the lock lives exactly as long as that session. The
 * fencing token is {@code nextval} of a sequence, taken in the same statement that wins the lock. The lease expiry is
 * kept locally (call start + TTL, so never later than the server's view) and every renewal is a round-trip on the
 * session; a dead session means the lock is gone, so renew returns empty. On PostgreSQL 14+ the session also sets
 * {@code idle_session_timeout} to the TTL, so the server itself ends a holder that stops renewing (hung process,
 * network partition) and frees the lock after about one TTL, like a Redis key expiring. On older servers a silent
 * holder keeps the lock until its TCP connection dies.
 *
 * <p>Every call is bounded by a socket timeout of min(callTimeout, TTL/3). Opening the session is bounded by the
 * connection factory's connect timeout. Thread-safe.
 */
public final class PgAdvisoryLeadership implements Leadership, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PgAdvisoryLeadership.class);

    private final ConnectionFactory connections;
    private final PgLeadershipSettings settings;
    private final Clock clock;
    private final long lockKey;
    private final String sequence;
    private Connection session;
    private int serverMajor;
    private Lease held;

    public PgAdvisoryLeadership(ConnectionFactory connections, PgLeadershipSettings settings, Clock clock) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lockKey = settings.lockKey();
        this.sequence = PgQuoting.ident(settings.schema()) + "." + PgQuoting.ident(PgLeadershipSettings.TOKEN_SEQUENCE);
    }

    @Override
    public String workerId() {
        return settings.workerId();
    }

    /** The advisory lock key, for operators looking at {@code pg_locks} (classid/objid are its high/low 32 bits). */
    public long lockKey() {
        return lockKey;
    }

    @Override
    public synchronized Optional<Lease> tryAcquire(Duration ttl) {
        requireTtl(ttl);
        if (held != null) {
            if (clock.instant().isBefore(held.expiresAt())) {
                Optional<Lease> refreshed = refresh(ttl);
                if (refreshed.isPresent()) {
                    return refreshed;
                }
            } else {
                dropSession("our lease expired before it was renewed");
            }
        }
        try {
            Connection c = session();
            c.setNetworkTimeout(Runnable::run, callTimeoutMillis(ttl));
            Instant start = clock.instant();
            // the token is drawn only when the lock is won; the idle timeout is armed only then too
            String sql = "WITH attempt AS (SELECT CASE WHEN pg_try_advisory_lock(?) THEN nextval(?::regclass) END AS token) "
                    + "SELECT token" + (serverMajor >= 14 ? ", CASE WHEN token IS NOT NULL THEN set_config('idle_session_timeout', ?, false) END" : "")
                    + " FROM attempt";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, lockKey);
                ps.setString(2, sequence);
                if (serverMajor >= 14) {
                    ps.setString(3, Long.toString(idleTimeoutMillis(ttl)));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long token = rs.getLong(1);
                    if (rs.wasNull()) {
                        return Optional.empty();
                    }
                    held = new Lease(settings.workerId(), token, start.plus(ttl));
                    LOG.info("Worker {} acquired the advisory-lock lease (token {})", settings.workerId(), token);
                    return Optional.of(held);
                }
            }
        } catch (SQLException e) {
            LOG.warn("Worker {} could not try the leadership lock: {}", settings.workerId(), e.getMessage());
            dropSession("error while acquiring");
            return Optional.empty();
        }
    }

    @Override
    public synchronized Optional<Lease> renew(Lease lease, Duration ttl) {
        Objects.requireNonNull(lease, "lease");
        requireTtl(ttl);
        if (!isHeld(lease)) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(held.expiresAt())) {
            dropSession("our lease expired before it was renewed");
            return Optional.empty();
        }
        return refresh(ttl);
    }

    @Override
    public synchronized void release(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        if (!isHeld(lease)) {
            return;
        }
        try {
            session.setNetworkTimeout(Runnable::run, (int) settings.callTimeout().toMillis());
            try (PreparedStatement ps = session.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                ps.setLong(1, lockKey);
                ps.execute();
            }
        } catch (SQLException e) {
            LOG.debug("unlock failed; closing the session releases the lock anyway", e);
        }
        dropSession(null);
        LOG.info("Worker {} released the advisory-lock lease (token {})", settings.workerId(), lease.fencingToken());
    }

    @Override
    public synchronized void close() {
        if (held != null) {
            release(held);
        }
        dropSession(null);
    }

    private boolean isHeld(Lease lease) {
        return held != null && session != null && lease.holder().equals(settings.workerId())
                && lease.fencingToken() == held.fencingToken();
    }

    /** One round-trip on the holding session; success proves the session, and so the lock, is still ours. */
    private Optional<Lease> refresh(Duration ttl) {
        try {
            session.setNetworkTimeout(Runnable::run, callTimeoutMillis(ttl));
            Instant start = clock.instant();
            try (PreparedStatement ps = session.prepareStatement(serverMajor >= 14
                    ? "SELECT set_config('idle_session_timeout', ?, false)" : "SELECT 1")) {
                if (serverMajor >= 14) {
                    ps.setString(1, Long.toString(idleTimeoutMillis(ttl)));
                }
                ps.execute();
            }
            held = new Lease(settings.workerId(), held.fencingToken(), start.plus(ttl));
            return Optional.of(held);
        } catch (SQLException e) {
            LOG.warn("Worker {} lost the advisory-lock lease (token {}): {}", settings.workerId(), held.fencingToken(),
                    e.getMessage());
            dropSession("session failed");
            return Optional.empty();
        }
    }

    private Connection session() throws SQLException {
        if (session != null && !session.isClosed()) {
            return session;
        }
        Connection c = connections.connect();
        try {
            c.setAutoCommit(true);
            serverMajor = c.getMetaData().getDatabaseMajorVersion();
            try (PreparedStatement ps = c.prepareStatement("SELECT set_config('application_name', ?, false)")) {
                String name = "echodb-leader:" + settings.workerId();
                ps.setString(1, name.length() > 63 ? name.substring(0, 63) : name);
                ps.execute();
            }
            ensureSequence(c);
            session = c;
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    /** Creates the token sequence when missing; checks first, because CREATE ... IF NOT EXISTS still needs CREATE rights. */
    private void ensureSequence(Connection c) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL, to_regnamespace(?) IS NOT NULL")) {
                ps.setString(1, sequence);
                ps.setString(2, PgQuoting.ident(settings.schema()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                    try (Statement st = c.createStatement()) {
                        if (!rs.getBoolean(2)) {
                            st.execute("CREATE SCHEMA IF NOT EXISTS " + PgQuoting.ident(settings.schema()));
                        }
                        st.execute("CREATE SEQUENCE IF NOT EXISTS " + sequence);
                        return;
                    }
                }
            } catch (SQLException e) {
                // two workers creating it at once: one loses with a unique violation; look again
                boolean race = "23505".equals(e.getSQLState()) || "42P07".equals(e.getSQLState());
                if (!race || attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    private void dropSession(String why) {
        if (why != null && held != null) {
            LOG.warn("Worker {} gives up the advisory-lock lease (token {}): {}", settings.workerId(), held.fencingToken(), why);
        }
        held = null;
        if (session != null) {
            try {
                session.close(); // ends the session, which releases the lock if it was still held
            } catch (SQLException ignored) {
                // already broken
            }
            session = null;
        }
    }

    private int callTimeoutMillis(Duration ttl) {
        long bound = Math.min(settings.callTimeout().toMillis(), ttl.toMillis() / 3);
        return (int) Math.max(50, bound);
    }

    private static long idleTimeoutMillis(Duration ttl) {
        return Math.min(Integer.MAX_VALUE, Math.max(1, ttl.toMillis()));
    }

    private static void requireTtl(Duration ttl) {
        if (ttl == null || ttl.toMillis() < 150) {
            throw InvalidValueException.of("lease TTL", ttl, "must be at least 150 ms");
        }
    }
}
