package io.echodb.bench;

import io.echodb.adapters.postgres.replication.PgChangeSource;
import io.echodb.core.model.MirrorSpec;
import io.echodb.core.model.MirrorStatus;
import io.echodb.core.model.TableRef;
import io.echodb.core.replication.NativeMirrorEngine;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Item 1: the initial copy of a table into ClickHouse by the engine (create mirror → RUNNING) against a plain
 * {@code COPY … TO STDOUT} of the same table read by the same driver in the same process (bytes discarded). COPY runs
 * before every engine copy and once after the last; the fastest run of each is compared (for COPY, the reference,
 * that is the conservative choice).
 */
final class SnapshotBench {

    /**
     * One table's figures. {@code copyBytes} is the size of the table as COPY text: the MB of every MB/s. Each list
     * holds one entry per run; the best run counts (the least disturbed by other load on the machine).
     */
    record Result(String table, String shape, long rows, long copyBytes, long tableBytes, List<Long> copyNanos,
                  List<Long> echoNanos, long targetRows, List<Long> echoNoopNanos, long sinkBatches, long sinkNanos,
                  long ceilingNanos, long httpNanos, long httpBytes, long clientNanos, ServiceCpu.Sample services,
                  List<Long> copyCpuNanos, List<Long> echoCpuNanos, List<Long> noopCpuNanos) {
        long copyBestNanos() {
            return java.util.Collections.min(copyNanos);
        }

        long echoBestNanos() {
            return java.util.Collections.min(echoNanos);
        }

        long noopBestNanos() {
            return java.util.Collections.min(echoNoopNanos);
        }

        double copyRowsPerSec() {
            return rows / (copyBestNanos() / 1e9);
        }

        double echoRowsPerSec() {
            return rows / (echoBestNanos() / 1e9);
        }

        double copyMBps() {
            return copyBytes / 1e6 / (copyBestNanos() / 1e9);
        }

        double echoMBps() {
            return copyBytes / 1e6 / (echoBestNanos() / 1e9);
        }

        double ratio() {
            return (double) copyBestNanos() / echoBestNanos();
        }

        double ceilingRowsPerSec() {
            return rows / (ceilingNanos / 1e9);
        }

        double httpRowsPerSec() {
            return rows / (httpNanos / 1e9);
        }

        double noopRowsPerSec() {
            return rows / (noopBestNanos() / 1e9);
        }

        double noopRatio() {
            return (double) copyBestNanos() / noopBestNanos();
        }

        /**
         * CPU µs per row of this process (all its threads, JIT and GC included) in the least of the runs: what a copy
         * costs wherever it runs, while the rates above depend on how busy the machine was. For COPY, that is pgjdbc
         * reading the rows and discarding them.
         */
        double copyCpuMicrosPerRow() {
            return java.util.Collections.min(copyCpuNanos) / 1e3 / rows;
        }

        double echoCpuMicrosPerRow() {
            return java.util.Collections.min(echoCpuNanos) / 1e3 / rows;
        }

        double noopCpuMicrosPerRow() {
            return java.util.Collections.min(noopCpuNanos) / 1e3 / rows;
        }
    }

    static final String NARROW_DDL = "CREATE TABLE public.snap_narrow (aid integer NOT NULL, bid integer,"
            + " abalance integer, filler character(84))";
    static final String NARROW_SHAPE = "pgbench_accounts-like: int, int, int, char(84)";

    static final String WIDE_DDL = "CREATE TABLE public.snap_wide (id bigint NOT NULL, c_small smallint, c_int integer,"
            + " c_big bigint, c_real real, c_double double precision, c_numeric numeric(14,4), c_bool boolean,"
            + " c_text text, c_varchar varchar(64), c_date date, c_ts timestamp, c_tstz timestamptz, c_uuid uuid,"
            + " c_json jsonb, c_bytes bytea, c_int_arr integer[], c_text_arr text[], c_time time, c_interval interval,"
            + " c_nullable text)";
    static final String WIDE_SHAPE = "21 columns: bigint, smallint, int, bigint, real, double, numeric(14,4), bool, text, "
            + "varchar, date, timestamp, timestamptz, uuid, jsonb, bytea, int[], text[], time, interval, text (50% NULL)";

    private final Endpoints ep;
    private final String pgDb;
    private final String chDb;
    private final ServiceCpu cpu;

    private final int rounds;

    /** Every table is copied {@code rounds} times by EchoDB (and by COPY once more), the best run counts. */
    SnapshotBench(Endpoints ep, String pgDb, String chDb, ServiceCpu cpu, int rounds) {
        this.ep = ep;
        this.pgDb = pgDb;
        this.chDb = chDb;
        this.cpu = cpu;
        this.rounds = rounds;
    }

    Result narrow(long rows) throws Exception {
        try (Connection c = ep.pg(pgDb)) {
            Sql.exec(c, NARROW_DDL);
            Sql.exec(c, "INSERT INTO public.snap_narrow SELECT g, (g - 1) / 100000 + 1, 0, ''"
                    + " FROM generate_series(1, " + rows + ") g");
            Sql.exec(c, "ALTER TABLE public.snap_narrow ADD PRIMARY KEY (aid)");
            Sql.exec(c, "VACUUM (FREEZE, ANALYZE) public.snap_narrow");
        }
        return measure(TableRef.of("public", "snap_narrow"), "aid", NARROW_SHAPE, rows);
    }

    Result wide(long rows) throws Exception {
        try (Connection c = ep.pg(pgDb)) {
            Sql.exec(c, WIDE_DDL);
            Sql.exec(c, "INSERT INTO public.snap_wide SELECT g, (g % 32000)::smallint, (g * 7) % 1000000, g * 1000003,"
                    + " g / 3.0, g / 7.0, round(g / 13.0, 4), g % 2 = 0, 'text value ' || md5(g::text),"
                    + " substr(md5(g::text), 1, 20), date '2000-01-01' + (g % 20000)::int,"
                    + " timestamp '2020-01-01' + g * interval '1 second', timestamptz '2021-06-01 12:00:00+00' + g * interval '1 ms',"
                    + " md5(g::text)::uuid, jsonb_build_object('id', g, 'name', 'name ' || g, 'tags', jsonb_build_array('a', 'b')),"
                    + " decode(md5(g::text), 'hex'), ARRAY[g::int, g::int + 1, g::int + 2], ARRAY['x' || g, 'y'],"
                    + " time '00:00' + (g % 86400) * interval '1 second', make_interval(days => (g % 30)::int, secs => (g % 3600)::int),"
                    + " CASE WHEN g % 2 = 0 THEN NULL ELSE 'nullable ' || g END"
                    + " FROM generate_series(1::bigint, " + rows + ") g");
            Sql.exec(c, "ALTER TABLE public.snap_wide ADD PRIMARY KEY (id)");
            Sql.exec(c, "VACUUM (FREEZE, ANALYZE) public.snap_wide");
        }
        return measure(TableRef.of("public", "snap_wide"), "id", WIDE_SHAPE, rows);
    }

    private Result measure(TableRef table, String key, String shape, long rows) throws Exception {
        long tableBytes;
        try (Connection c = ep.pg(pgDb)) {
            tableBytes = Sql.queryLong(c, "SELECT pg_table_size('" + table.qualified() + "')");
        }
        List<Long> copies = new ArrayList<>();
        List<Long> echoes = new ArrayList<>();
        List<Long> noops = new ArrayList<>();
        List<Long> copyCpu = new ArrayList<>();
        List<Long> echoCpu = new ArrayList<>();
        List<Long> noopCpu = new ArrayList<>();
        long copyBytes = 0;
        long targetRows = 0;
        long ceilingNanos = 0;
        long[] http = null;
        long bestEcho = Long.MAX_VALUE;
        WriteTimer bestWrites = null;
        ServiceCpu.Sample bestServices = null;
        for (int round = 1; round <= rounds; round++) {
            long[] copy = copyOut(table);
            copyBytes = copy[0];
            copies.add(copy[1]);
            copyCpu.add(copy[2]);
            Bench.progress("  COPY TO STDOUT %s: %,d bytes in %s", table, copy[0], Stats.ms(copy[1]));
            Engines.Names names = new Engines.Names(pgDb, "bench_snap", "bench_snap_pub", "_bench_snap");
            PgChangeSource source = Engines.source(ep, names);
            Endpoints.Sink sink = ep.clickHouseSink(chDb);
            WriteTimer writes = new WriteTimer();
            try (NativeMirrorEngine engine = Engines.engine(ep, names, source, sink.sink(), writes)) {
                engine.start();
                MirrorSpec spec = Engines.spec(table);
                ServiceCpu.Sample c0 = cpu.sample();
                long cpu0 = ProcStats.cpuNanos();
                long t0 = System.nanoTime();
                engine.create(spec);
                MirrorStatus st = Engines.awaitRunning(engine, spec.name(), Duration.ofHours(2));
                long echoNanos = System.nanoTime() - t0;
                echoCpu.add(ProcStats.cpuNanos() - cpu0);
                ServiceCpu.Sample services = cpu.sample().minus(c0);
                echoes.add(echoNanos);
                if (echoNanos < bestEcho) {
                    bestEcho = echoNanos;
                    bestWrites = writes;
                    bestServices = services;
                }
                Bench.progress("  EchoDB copy %s into ClickHouse: %s (%s), %s of it in %d ClickHouse inserts (summed over "
                                + "the copy workers)", table, Stats.ms(echoNanos), st.snapshot(),
                        Stats.ms(writes.snapshotNanos.get()), writes.snapshotBatches.get());
                targetRows = ((Number) sink.gateway().query("SELECT count() FROM `" + chDb + "`.`" + table.name()
                        + "` FINAL", "count copied rows").rows().get(0)[0]).longValue();
                if (targetRows != rows) {
                    throw new IllegalStateException("ClickHouse holds " + targetRows + " rows of " + table + ", expected " + rows);
                }
                if (round == 1) {
                    ceilingNanos = serverSideCopy(sink.gateway(), table.name());
                    Bench.progress("  ClickHouse server-side INSERT … SELECT of the same rows into the same layout: %s",
                            Stats.ms(ceilingNanos));
                    http = httpInserts(sink.gateway(), table.name(), key, rows);
                    Bench.progress("  the same rows as RowBinary HTTP inserts of %,d rows, one after the other: %s (%,d "
                            + "bytes); the same bytes through EchoDB's ClickHouse client: %s", HTTP_BATCH_ROWS,
                            Stats.ms(http[0]), http[1], Stats.ms(http[2]));
                }
                engine.drop(spec.name(), true);
            } finally {
                sink.gateway().close();
            }
            long[] noop = copyWithNoopSink(table);
            long noopNanos = noop[0];
            noops.add(noopNanos);
            noopCpu.add(noop[1]);
            Bench.progress("  EchoDB copy %s into a no-op sink: %s", table, Stats.ms(noopNanos));
        }
        long[] last = copyOut(table);
        copies.add(last[1]);
        copyCpu.add(last[2]);
        Bench.progress("  COPY TO STDOUT %s again: %s", table, Stats.ms(last[1]));
        return new Result(table.qualified(), shape, rows, copyBytes, tableBytes, copies, echoes, targetRows, noops,
                bestWrites.snapshotBatches.get(), bestWrites.snapshotNanos.get(), ceilingNanos, http[0], http[1], http[2],
                bestServices, copyCpu, echoCpu, noopCpu);
    }

    static final int HTTP_BATCH_ROWS = 50_000;

    /**
     * The sink's transport ceiling: the mirrored rows read back as RowBinary (untimed) and sent again as plain HTTP
     * inserts of the engine's batch size into an identical table, one after the other. No EchoDB code is involved, so
     * this is what this ClickHouse (and the HTTP server in front of it) can take at all. The same bytes also go through
     * EchoDB's ClickHouse client (the sink's insert call) into a third table: the client's own transport cost.
     * Returns {plain HTTP nanos, bytes, client nanos}.
     */
    private long[] httpInserts(io.echodb.adapters.clickhouse.ClickHouseGateway gateway, String target, String key, long rows)
            throws Exception {
        ClickHouseHttp http = new ClickHouseHttp(ep);
        String src = "`" + chDb + "`.`" + target + "`";
        String copy = "`" + chDb + "`.`" + target + "_http`";
        String viaClient = "`" + chDb + "`.`" + target + "_client`";
        http.query("CREATE TABLE " + copy + " AS " + src);
        http.query("CREATE TABLE " + viaClient + " AS " + src);
        List<String> columns = new ArrayList<>();
        for (String c : new String(http.query("SELECT name FROM system.columns WHERE database = '" + chDb + "' AND table = '"
                + target + "' ORDER BY position FORMAT TSV"), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (!c.isBlank()) {
                columns.add("`" + c + "`");
            }
        }
        long nanos = 0;
        long bytes = 0;
        long clientNanos = 0;
        try {
            for (long from = 0; from < rows; from += HTTP_BATCH_ROWS) {
                byte[] data = http.query("SELECT * FROM " + src + " WHERE `" + key + "` > " + from + " AND `" + key + "` <= "
                        + (from + HTTP_BATCH_ROWS) + " FORMAT RowBinary");
                bytes += data.length;
                nanos += http.insert("INSERT INTO " + copy + " FORMAT RowBinary", data);
                long t0 = System.nanoTime();
                gateway.insertEncodedRowBinary(viaClient, columns, data, "probe insert into " + viaClient);
                clientNanos += System.nanoTime() - t0;
            }
            return new long[] {nanos, bytes, clientNanos};
        } finally {
            http.query("DROP TABLE " + copy);
            http.query("DROP TABLE " + viaClient);
        }
    }

    /**
     * The sink's own ceiling: ClickHouse copies the mirrored rows into an identical table by itself (no client, no
     * parsing of RowBinary): how fast this ClickHouse can write these rows at all.
     */
    private long serverSideCopy(io.echodb.adapters.clickhouse.ClickHouseGateway g, String target) {
        String src = "`" + chDb + "`.`" + target + "`";
        String copy = "`" + chDb + "`.`" + target + "_ceiling`";
        g.execute("CREATE TABLE " + copy + " AS " + src, "create the ceiling table");
        try {
            long t0 = System.nanoTime();
            g.execute("INSERT INTO " + copy + " SELECT * FROM " + src, "server-side copy");
            return System.nanoTime() - t0;
        } finally {
            g.execute("DROP TABLE " + copy, "drop the ceiling table");
        }
    }

    /**
     * The same copy with a sink that keeps nothing: what the engine and its source cost alone. Returns {nanos, CPU
     * nanos of this process}.
     */
    private long[] copyWithNoopSink(TableRef table) {
        Engines.Names names = new Engines.Names(pgDb, "bench_snap_noop", "bench_snap_noop_pub", "_bench_snap_noop");
        try (NativeMirrorEngine engine = Engines.engine(ep, names, Engines.source(ep, names), new NoopSink())) {
            engine.start();
            MirrorSpec spec = Engines.spec(table);
            long cpu0 = ProcStats.cpuNanos();
            long t0 = System.nanoTime();
            engine.create(spec);
            Engines.awaitRunning(engine, spec.name(), Duration.ofHours(2));
            long nanos = System.nanoTime() - t0;
            long cpuNanos = ProcStats.cpuNanos() - cpu0;
            engine.drop(spec.name(), false);
            return new long[] {nanos, cpuNanos};
        }
    }

    /** {bytes, nanos, CPU nanos of this process} of {@code COPY table TO STDOUT} (text format), output discarded. */
    private long[] copyOut(TableRef table) {
        try (Connection c = ep.pg(pgDb)) {
            CountingOut out = new CountingOut();
            long cpu0 = ProcStats.cpuNanos();
            long t0 = System.nanoTime();
            c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY " + table.qualified() + " TO STDOUT", out);
            return new long[] {out.bytes, System.nanoTime() - t0, ProcStats.cpuNanos() - cpu0};
        } catch (SQLException | java.io.IOException e) {
            throw new IllegalStateException("COPY " + table + " failed: " + e.getMessage(), e);
        }
    }

    private static final class CountingOut extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
