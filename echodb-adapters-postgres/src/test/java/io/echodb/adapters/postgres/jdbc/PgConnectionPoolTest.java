package io.echodb.adapters.postgres.jdbc;

import io.echodb.adapters.postgres.replication.PgTestDatabase;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pooled {@link PgConnectionFactory} against real PostgreSQL, and against a server that never answers. */
class PgConnectionPoolTest {

    private static PgTestDatabase db;

    @BeforeAll
    static void create() {
        db = PgTestDatabase.create("pool");
    }

    @AfterAll
    static void drop() {
        db.drop();
    }

    private static PgConnectionFactory pooled(PgConnectionSettings settings, Duration acquire) {
        return PgConnectionFactory.pooled(settings, "echodb-pool-test", PgPoolSettings.defaults().withSize(2, acquire));
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * The pool's first connection is dropped while HikariCP reads its default isolation (PostgreSQL restarting): the
     * pool must still open working connections afterwards. HikariCP swallows that connection error and, unless the
     * level is configured, sets level -1 on every later connection, which pgjdbc refuses — the pool stays empty.
     */
    @Test
    void aFirstConnectionDroppedWhileTheIsolationIsReadDoesNotBreakThePoolForGood() throws Exception {
        PgConnectionFactory direct = new PgConnectionFactory(db.settings(), "echodb-pool-test");
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.Callable<Connection> open = () -> {
            Connection real = direct.open();
            boolean dropIt = first.getAndSet(false);
            return (Connection) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (dropIt && method.getName().equals("getTransactionIsolation")) {
                            throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        };
        javax.sql.DataSource connections = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) ->
                        switch (method.getName()) {
                            case "getConnection" -> open.call();
                            case "getLoginTimeout" -> 0;
                            case "isWrapperFor" -> false;
                            default -> null;
                        });
        com.zaxxer.hikari.HikariConfig config = PgConnectionFactory.poolConfig(connections,
                PgPoolSettings.defaults().withSize(2, Duration.ofSeconds(5)));
        try (com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config);
             Connection a = pool.getConnection();
             Connection b = pool.getConnection()) { // the second needs a connection set up after the first
            assertThat(first.get()).as("the first connection was the dropped one").isFalse();
            assertThat(one(a, "SELECT 1")).isEqualTo("1");
            assertThat(one(b, "SHOW transaction_isolation")).isEqualTo("read committed");
        }
    }

    @Test
    void connectionsAreReusedWithTheSessionSettingsAndNoStateLeftBehind() throws Exception {
        try (PgConnectionFactory pool = pooled(db.settings(), Duration.ofSeconds(3))) {
            String pid;
            try (Connection c = pool.open()) {
                pid = one(c, "SELECT pg_backend_pid()");
                assertThat(one(c, "SHOW TimeZone")).isEqualTo("UTC");
                assertThat(one(c, "SHOW IntervalStyle")).isEqualTo("iso_8601");
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setReadOnly(true);
                one(c, "SELECT 1");
                // returned mid-transaction: the pool rolls it back and resets what was changed
            }
            try (Connection c = pool.open()) {
                assertThat(one(c, "SELECT pg_backend_pid()")).as("the same backend, not a new connection").isEqualTo(pid);
                assertThat(c.getAutoCommit()).isTrue();
                assertThat(one(c, "SHOW transaction_isolation")).isEqualTo("read committed");
                assertThat(one(c, "SHOW transaction_read_only")).isEqualTo("off");
                assertThat(one(c, "SELECT count(*) FROM pg_stat_activity WHERE pid = pg_backend_pid()"
                        + " AND state = 'active' AND backend_xid IS NULL")).isEqualTo("1");
            }
            try (Connection dedicated = pool.openDedicated()) {
                assertThat(one(dedicated, "SELECT pg_backend_pid()")).as("dedicated connections are not pooled").isNotEqualTo(pid);
            }
        }
    }

    @Test
    void aServerThatNeverAnswersCostsTheAcquireTimeoutNotTheConnectTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // accept and never say a word
                    }
                } catch (IOException closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            PgConnectionSettings nowhere = PgConnectionSettings.of("127.0.0.1", silent.getLocalPort(), "x", "u", "p");
            try (PgConnectionFactory pool = pooled(nowhere, Duration.ofMillis(500))) {
                long start = System.nanoTime();
                assertThatThrownBy(pool::open).isInstanceOf(SQLException.class);
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat(ms).as("bounded by the 500 ms acquire timeout, not pgjdbc's 10 s connect timeout")
                        .isLessThan(2_000);
            }
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void aClosedPoolRefusesToLend() {
        PgConnectionFactory pool = pooled(db.settings(), Duration.ofSeconds(1));
        pool.close();
        assertThatThrownBy(pool::open).isInstanceOf(SQLException.class).hasMessageContaining("closed");
    }
}
