package io.echodb.runner.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background writer of random multi-statement transactions over two related tables — accounts (keyed 1..keys) and
 * their events — mixing inserts, upserts, single-row and range updates, primary-key changes and deletes, so that one
 * transaction often touches both tables and the same key several times. Deterministic for a seed (apart from where
 * it is stopped). Survives server restarts: a failed transaction is rolled back or lost with its connection, and the
 * writer reconnects; what PostgreSQL committed is the truth the tests compare against.
 */
final class Workload implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Workload.class);

    final String accounts;
    final String events;
    private final E2eEnv env;
    private final int keys;
    private final SplittableRandom random;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong statements = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private long nextEventId = 1;
    private Thread thread;

    private Workload(E2eEnv env, String prefix, int keys, long seed) {
        this.env = env;
        this.accounts = prefix + "_account";
        this.events = prefix + "_event";
        this.keys = keys;
        this.random = new SplittableRandom(seed);
    }

    /** Creates the two tables with {@code preload} accounts (ids 1..preload) and returns a writer for them. */
    static Workload create(E2eEnv env, String prefix, int keys, int preload, long seed) {
        Workload w = new Workload(env, prefix, keys, seed);
        env.sql("CREATE TABLE " + w.accounts + " (id bigint PRIMARY KEY, balance bigint NOT NULL, owner text,"
                        + " amount numeric(14,2), touched timestamptz NOT NULL DEFAULT now(), active boolean,"
                        + " tags jsonb)",
                "CREATE TABLE " + w.events + " (id bigint PRIMARY KEY, account_id bigint NOT NULL, kind text NOT NULL,"
                        + " payload text, at timestamp NOT NULL DEFAULT now())",
                "INSERT INTO " + w.accounts + " (id, balance, owner, amount, active, tags)"
                        + " SELECT g, g * 10, 'owner ' || g, (g % 1000) * 1.5, g % 3 = 0, jsonb_build_object('g', g)"
                        + " FROM generate_series(1, " + preload + ") g",
                "ANALYZE " + w.accounts);
        return w;
    }

    /** Starts writing on a background thread. */
    Workload start() {
        stop.set(false);
        thread = new Thread(this::run, "workload-" + accounts);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Stops after the current transaction and waits for the writer to finish. */
    void stop() {
        stop.set(true);
        Thread t = thread;
        if (t != null) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                throw new IllegalStateException("workload writer did not stop");
            }
            thread = null;
        }
    }

    long committed() {
        return committed.get();
    }

    long statements() {
        return statements.get();
    }

    long failedTransactions() {
        return failed.get();
    }

    @Override
    public void close() {
        stop();
    }

    private void run() {
        Connection c = null;
        while (!stop.get()) {
            try {
                if (c == null || c.isClosed()) {
                    c = env.pg.connect(env.pgDb);
                    c.setAutoCommit(false);
                }
                int n = 1 + random.nextInt(8);
                try (Statement st = c.createStatement()) {
                    for (int i = 0; i < n; i++) {
                        st.execute(nextStatement());
                    }
                }
                c.commit();
                committed.incrementAndGet();
                statements.addAndGet(n);
            } catch (SQLException | IllegalStateException e) {
                failed.incrementAndGet();
                if (c != null) {
                    try {
                        c.rollback();
                    } catch (SQLException ignored) {
                        closeQuietly(c);
                        c = null;
                    }
                }
                LOG.debug("workload transaction failed (will go on): {}", e.toString());
                Poll.pause(100); // a server restart or connection loss: try again shortly
            }
        }
        closeQuietly(c);
    }

    private String nextStatement() {
        long k = 1 + random.nextInt(keys);
        int op = random.nextInt(100);
        if (op < 25) {
            return "INSERT INTO " + accounts + " (id, balance, owner, amount, active, tags) VALUES (" + k + ", "
                    + random.nextInt(1_000_000) + ", 'o" + random.nextInt(1000) + "', " + money() + ", "
                    + random.nextBoolean() + ", '{\"k\": " + k + "}') ON CONFLICT (id) DO UPDATE SET balance = "
                    + accounts + ".balance + EXCLUDED.balance, touched = now(), owner = EXCLUDED.owner";
        }
        if (op < 45) {
            return "UPDATE " + accounts + " SET balance = balance - " + random.nextInt(500) + ", amount = " + money()
                    + ", active = NOT coalesce(active, false), touched = now() WHERE id = " + k;
        }
        if (op < 50) {
            return "UPDATE " + accounts + " SET owner = NULL, tags = NULL, amount = NULL WHERE id = " + k;
        }
        if (op < 55) {
            return "UPDATE " + accounts + " SET balance = balance + 1 WHERE id BETWEEN " + k + " AND " + (k + 20);
        }
        if (op < 62) {
            return "DELETE FROM " + accounts + " WHERE id = " + k;
        }
        if (op < 66) {
            long to = 1 + random.nextInt(keys);
            return "UPDATE " + accounts + " SET id = " + to + " WHERE id = " + k
                    + " AND NOT EXISTS (SELECT 1 FROM " + accounts + " WHERE id = " + to + ")";
        }
        if (op < 85) {
            long id = nextEventId++;
            return "INSERT INTO " + events + " (id, account_id, kind, payload) VALUES (" + id + ", " + k + ", 'k"
                    + random.nextInt(5) + "', repeat('p', " + random.nextInt(200) + "))";
        }
        if (op < 93) {
            return "UPDATE " + events + " SET payload = 'changed " + random.nextInt(1000) + "', at = now() WHERE account_id = " + k;
        }
        return "DELETE FROM " + events + " WHERE account_id = " + k;
    }

    private String money() {
        return random.nextInt(10_000_000) / 100 + "." + String.format("%02d", random.nextInt(100));
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // going away
            }
        }
    }
}
