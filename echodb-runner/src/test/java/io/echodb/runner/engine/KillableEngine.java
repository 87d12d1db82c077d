package io.echodb.runner.engine;

import io.echodb.runner.testing.TcpProxy;
import io.echodb.core.change.ChangeEvent;
import io.echodb.core.change.Lsn;
import io.echodb.core.change.SinkRow;
import io.echodb.core.model.MirrorName;
import io.echodb.core.model.TableRef;
import io.echodb.core.port.out.ChangeStream;
import io.echodb.core.port.out.SchemaSync;
import io.echodb.core.port.out.SinkUnavailableException;
import io.echodb.core.port.out.SnapshotSession;
import io.echodb.core.port.out.SourceUnavailableException;
import io.echodb.core.port.out.MirrorRecord;
import io.echodb.core.schema.Row;
import io.echodb.core.schema.RowKey;
import io.echodb.core.schema.TableSchema;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An engine that can be killed the way a process dies, inside this JVM. Every connection it makes — replication
 * stream, catalog and copy connections, checkpoint store, ClickHouse HTTP — goes through one of two {@link TcpProxy}s;
 * {@link #kill} resets all of them at once (both servers see the connections drop mid-flight: the walsender exits and
 * frees the slot, a half-sent insert is discarded) and from then on every call the engine makes into its ports fails
 * before doing anything, and acknowledgements are swallowed. The engine is never closed while it matters: its
 * threads keep retrying into the void (with backoff) until the test environment closes it at the very end.
 *
 * <p>Besides a kill from outside at any moment, a kill can be armed to fire at an exact point inside the engine's own
 * call: just before or just after the k-th write reaches ClickHouse, or at the k-th acknowledgement (before it is
 * passed on).
 */
final class KillableEngine {

    private static final Logger LOG = LoggerFactory.getLogger(KillableEngine.class);

    /** Where an armed kill fires. */
    enum Trigger {
        /** Only when the test calls {@link #kill}. */
        NONE,
        /** In the k-th sink write, before anything is sent. */
        BEFORE_WRITE,
        /** In the k-th sink write, after ClickHouse accepted the rows but before the engine learns it. */
        AFTER_WRITE,
        /** In the k-th acknowledgement, before it reaches PostgreSQL. */
        AT_ACK
    }

    final Rig rig;
    private final String label;
    private final TcpProxy pgProxy;
    private final TcpProxy chProxy;
    private final AtomicBoolean dead = new AtomicBoolean();
    private final AtomicInteger countdown = new AtomicInteger();
    private volatile Trigger trigger = Trigger.NONE;
    private volatile String killedBy;

    KillableEngine(E2eEnv env, String label) {
        this.label = label;
        this.pgProxy = TcpProxy.start(label + "-pg", env.pg.host(), env.pg.port());
        this.chProxy = TcpProxy.start(label + "-ch", env.ch.host(), env.ch.port());
        // Killed proxies stay bound until the very end, so that no later proxy can reuse their ports.
        env.closeAfterEngines(pgProxy);
        env.closeAfterEngines(chProxy);
        this.rig = env.rig()
                .listener(new io.echodb.core.replication.EngineListener() {
                    @Override
                    public void batchFlushed(TableRef table, int rows, long nanos) {
                        LOG.debug("{} wrote {} rows of {}", label, rows, table);
                    }

                    @Override
                    public void acknowledged(Lsn lsn) {
                        LOG.debug("{} acknowledged {}", label, lsn);
                    }
                })
                .postgres(env.pgSettings(pgProxy))
                .clickhouse(env.chSettings(chProxy))
                .wrapSource(s -> new Forwarding.Source(s) {
                    @Override
                    public Lsn prepare() {
                        alive("prepare");
                        return super.prepare();
                    }

                    @Override
                    public void publish(TableRef table) {
                        alive("publish");
                        super.publish(table);
                    }

                    @Override
                    public void unpublish(TableRef table, long relationId) {
                        alive("unpublish");
                        super.unpublish(table, relationId);
                    }

                    @Override
                    public Optional<TableSchema> describe(TableRef table) {
                        alive("describe");
                        return super.describe(table);
                    }

                    @Override
                    public Optional<TableSchema> useFullReplicaIdentity(TableRef table) {
                        alive("set REPLICA IDENTITY FULL");
                        return super.useFullReplicaIdentity(table);
                    }

                    @Override
                    public SnapshotSession openSnapshot() {
                        alive("open a snapshot");
                        return new Forwarding.Snapshot(super.openSnapshot()) {
                            @Override
                            public void copy(TableSchema schema, java.util.Set<String> omitted, int parallelism,
                                    List<io.echodb.core.port.out.CopyRange> finished,
                                    io.echodb.core.port.out.CopyReceiver batches) {
                                alive("copy");
                                super.copy(schema, omitted, parallelism, finished,
                                        Forwarding.Snapshot.peeking(batches, b -> alive("copy")));
                            }
                        };
                    }

                    @Override
                    public ChangeStream openStream(Lsn from) {
                        alive("open the stream");
                        return new Forwarding.Stream(super.openStream(from)) {
                            @Override
                            public Optional<ChangeEvent> poll(Duration timeout) {
                                alive("poll");
                                return super.poll(timeout);
                            }

                            @Override
                            public void acknowledge(Lsn flushed) {
                                if (dead.get()) {
                                    return;
                                }
                                if (trigger == Trigger.AT_ACK && countdown.decrementAndGet() == 0) {
                                    kill("acknowledgement of " + flushed);
                                    return;
                                }
                                super.acknowledge(flushed);
                            }
                        };
                    }

                    @Override
                    public long lagBytes() {
                        alive("lag");
                        return super.lagBytes();
                    }

                    @Override
                    public Lsn currentLsn() {
                        alive("current LSN");
                        return super.currentLsn();
                    }

                    @Override
                    public void teardown() {
                        alive("teardown");
                        super.teardown();
                    }
                })
                .wrapSink(s -> new Forwarding.Sink(s) {
                    @Override
                    public SchemaSync ensureTable(String target, TableSchema schema) {
                        aliveSink("ensure table");
                        return super.ensureTable(target, schema);
                    }

                    @Override
                    public void write(String target, TableSchema schema, List<SinkRow> rows) {
                        aliveSink("write");
                        boolean fire = (trigger == Trigger.BEFORE_WRITE || trigger == Trigger.AFTER_WRITE)
                                && countdown.decrementAndGet() == 0;
                        if (fire && trigger == Trigger.BEFORE_WRITE) {
                            kill("write of " + rows.size() + " rows to " + target + " (before sending)");
                            aliveSink("write");
                        }
                        super.write(target, schema, rows);
                        if (fire) {
                            kill("write of " + rows.size() + " rows to " + target + " (after ClickHouse accepted it)");
                            aliveSink("write");
                        }
                    }

                    @Override
                    public Map<RowKey, Row> currentRows(String target, TableSchema schema, Collection<RowKey> keys) {
                        aliveSink("read current rows");
                        return super.currentRows(target, schema, keys);
                    }

                    @Override
                    public void truncate(String target) {
                        aliveSink("truncate");
                        super.truncate(target);
                    }

                    @Override
                    public void drop(String target) {
                        aliveSink("drop");
                        super.drop(target);
                    }
                })
                .wrapStore(s -> new Forwarding.Store(s) {
                    @Override
                    public List<MirrorRecord> loadAll() {
                        alive("load mirrors");
                        return super.loadAll();
                    }

                    @Override
                    public void save(MirrorRecord record) {
                        alive("save a mirror");
                        super.save(record);
                    }

                    @Override
                    public void delete(MirrorName name) {
                        alive("delete a mirror");
                        super.delete(name);
                    }
                })
                .build();
    }

    /** Starts the engine (it loads its mirrors from the checkpoint store and resumes from the slot). */
    KillableEngine start() {
        rig.engine.start();
        return this;
    }

    /** Arms a kill at the {@code nth} call of the given kind (from now on). */
    void arm(Trigger at, int nth) {
        countdown.set(nth);
        trigger = at;
    }

    /** Kills now: all connections reset, every later port call fails. Idempotent. */
    void kill(String by) {
        if (dead.compareAndSet(false, true)) {
            killedBy = by;
            pgProxy.kill();
            chProxy.kill();
            LOG.info("{} killed at {}", label, by);
        }
    }

    boolean isDead() {
        return dead.get();
    }

    String killedBy() {
        return killedBy;
    }

    private void alive(String what) {
        if (dead.get()) {
            throw SourceUnavailableException.of(what + " (" + label + " was killed)", null);
        }
    }

    private void aliveSink(String what) {
        if (dead.get()) {
            throw SinkUnavailableException.of(what + " (" + label + " was killed)", null);
        }
    }

    @Override
    public String toString() {
        return label;
    }
}
