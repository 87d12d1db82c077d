package io.echodb.adapters.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ClientException;
import com.clickhouse.client.api.ClientMisconfigurationException;
import com.clickhouse.client.api.ConnectionInitiationException;
import com.clickhouse.client.api.DataStreamWriter;
import com.clickhouse.client.api.DataTransferException;
import com.clickhouse.client.api.ServerException;
import com.clickhouse.client.api.insert.InsertResponse;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import io.echodb.core.port.out.SinkUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one connection to ClickHouse shared by the sink, the row counter and housekeeping: a clickhouse-jdbc (client-v2)
 * HTTP client configured from {@link ClickHouseSettings}. Every call blocks; failures are translated once, here:
 * connection errors, timeouts and ClickHouse's transient error codes throw {@link SinkUnavailableException} (the engine
 * retries), everything else throws {@link ClickHouseRejectedException}. Thread-safe.
 */
public final class ClickHouseGateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseGateway.class);

    /** ClickHouse error codes that mean "try again later" beyond the client's own list. */
    private static final Set<Integer> TRANSIENT_CODES = Set.of(
            3, 159, 202, 203, 209, 210, 225, 236, 241, 242, 252, 285, 286, 319, 394, 425, 439, 999, 1000);

    private final ClickHouseSettings settings;
    private final Client client;
    private final long operationTimeoutMillis;

    public ClickHouseGateway(ClickHouseSettings settings) {
        this.settings = settings;
        Map<String, String> options = settings.clientOptions();
        this.operationTimeoutMillis = Math.max(Long.parseLong(options.getOrDefault("socket_timeout", "300000")), 1000L) + 30_000L;
        this.client = new Client.Builder()
                .addEndpoint(settings.endpoint())
                .setOptions(options)
                .setUsername(settings.user())
                .setPassword(settings.password())
                .setDefaultDatabase(settings.database())
                .setClientName("echodb")
                .build();
    }

    public ClickHouseSettings settings() {
        return settings;
    }

    /** The target database. */
    public String database() {
        return settings.database();
    }

    /** True when the server answers a trivial query. */
    public boolean ping() {
        try {
            query("SELECT 1", "ping ClickHouse");
            return true;
        } catch (RuntimeException e) {
            LOG.debug("ClickHouse ping failed: {}", e.getMessage());
            return false;
        }
    }

    /**
     * Creates the target database when it does not exist. Both statements run in {@code system}: every other request
     * names the target database, which the server refuses while it is missing.
     */
    public void createDatabaseIfMissing() {
        String what = "create database " + database();
        QueryResult found = run("SELECT count() FROM system.databases WHERE name = " + ClickHouseSql.literal(database()),
                what, new QuerySettings().setFormat(ClickHouseFormat.RowBinaryWithNamesAndTypes).setDatabase("system"), true);
        if (((Number) found.single()).longValue() == 0) {
            run("CREATE DATABASE IF NOT EXISTS " + ClickHouseSql.identifier(database()) + ClickHouseSql.onCluster(settings.cluster()),
                    what, new QuerySettings().setDatabase("system"), false);
            LOG.info("ClickHouse: created database {}", database());
        }
    }

    /** Runs a statement whose result is not needed (DDL, TRUNCATE, OPTIMIZE). */
    public void execute(String sql, String what) {
        execute(sql, what, Map.of(), null);
    }

    /** {@link #execute(String, String)} with extra server settings and, when not null, the query id to run under. */
    void execute(String sql, String what, Map<String, String> serverSettings, String queryId) {
        QuerySettings qs = new QuerySettings();
        serverSettings.forEach(qs::serverSetting);
        if (queryId != null) {
            qs.setQueryId(queryId);
        }
        run(sql, what, qs, false);
    }

    /** Runs a query and returns every row decoded from RowBinaryWithNamesAndTypes. */
    public QueryResult query(String sql, String what) {
        return query(sql, what, Map.of());
    }

    /** Runs a query with extra server settings and returns every row decoded from RowBinaryWithNamesAndTypes. */
    public QueryResult query(String sql, String what, Map<String, String> serverSettings) {
        QuerySettings qs = new QuerySettings().setFormat(ClickHouseFormat.RowBinaryWithNamesAndTypes);
        serverSettings.forEach(qs::serverSetting);
        return run(sql, what, qs, true);
    }

    /**
     * Runs one statement, failures translated once; {@code decodeAnswer}: the answer is RowBinaryWithNamesAndTypes to
     * decode (else it is left unread: DDL, KILL and ON CLUSTER answer in their own formats).
     */
    private QueryResult run(String sql, String what, QuerySettings qs, boolean decodeAnswer) {
        try (QueryResponse response = await(client.query(sql, qs), what)) {
            LOG.debug("ClickHouse: {}", what);
            return decodeAnswer ? decode(response.getInputStream()) : new QueryResult(List.of(), List.of(), List.of());
        } catch (BadValueException e) {
            throw ClickHouseRejectedException.byServer(what, 0, "unreadable answer: " + e.getMessage(), e);
        } catch (SinkUnavailableException | ClickHouseRejectedException e) {
            throw e;
        } catch (IOException e) {
            throw SinkUnavailableException.of(what, e);
        } catch (Exception e) {
            throw translate(what, e);
        }
    }

    /**
     * Sends {@code INSERT INTO table (columns) FORMAT RowBinary} with {@code data} as the body.
     *
     * @param table   the quoted, database-qualified table
     * @param columns the quoted column names, in the order the rows were encoded
     */
    void insertRowBinary(String table, List<String> columns, RowBinaryOutput data, Map<String, String> serverSettings, String what) {
        insert(table, columns, data, serverSettings, null, what);
    }

    /**
     * Inserts rows already encoded in RowBinary (e.g. read from another ClickHouse with {@code FORMAT RowBinary}) by the
     * sink's own insert path, unfenced; blocking. For extensions and benchmarks that bring their own rows.
     *
     * @param table   the quoted, database-qualified table
     * @param columns the quoted column names, in the order the rows were encoded
     */
    public void insertEncodedRowBinary(String table, List<String> columns, byte[] rowBinary, String what) {
        RowBinaryOutput out = new RowBinaryOutput(rowBinary.length);
        out.writeRaw(rowBinary);
        insertRowBinary(table, columns, out, Map.of(), what);
    }

    /**
     * Sends {@code INSERT INTO table (columns) SELECT columns FROM input('structure') WHERE condition FORMAT RowBinary}
     * with {@code data} as the body, under {@code queryId}: the server decides whether the rows are written.
     *
     * @param structure the input() structure: each quoted column with its ClickHouse type, in encoding order
     * @return the rows the server wrote
     */
    long insertRowBinaryWhere(String table, List<String> columns, String structure, String condition, RowBinaryOutput data,
            Map<String, String> serverSettings, String queryId, String what) {
        String names = String.join(", ", columns);
        // client-v2 sends "INSERT INTO " + this + " FORMAT RowBinary" when no column list is given.
        String statement = table + " (" + names + ") SELECT " + names + " FROM input(" + ClickHouseSql.literal(structure)
                + ") WHERE " + condition;
        return insert(statement, null, data, serverSettings, queryId, what);
    }

    private long insert(String table, List<String> columns, RowBinaryOutput data, Map<String, String> serverSettings,
            String queryId, String what) {
        InsertSettings is = new InsertSettings();
        serverSettings.forEach(is::serverSetting);
        if (queryId != null) {
            is.setQueryId(queryId);
        }
        DataStreamWriter writer = new DataStreamWriter() {
            @Override
            public void onOutput(OutputStream out) throws IOException {
                data.writeTo(out);
                out.close();
            }

            @Override
            public void onRetry() {
                // the whole buffer is written again by onOutput
            }
        };
        try (InsertResponse response = await(client.insert(table, columns, writer, ClickHouseFormat.RowBinary, is), what)) {
            LOG.debug("ClickHouse: {}", what);
            return response.getWrittenRows();
        } catch (SinkUnavailableException | ClickHouseRejectedException e) {
            throw e;
        } catch (Exception e) {
            throw translate(what, e);
        }
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(operationTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw SinkUnavailableException.of(what + " (interrupted)", e);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw SinkUnavailableException.of(what + " (no answer within " + operationTimeoutMillis + " ms)", e);
        } catch (ExecutionException e) {
            throw translate(what, e.getCause() == null ? e : e.getCause());
        } catch (RuntimeException e) {
            throw translate(what, e);
        }
    }

    /** The one place where client and server failures become the port's exception types. */
    static RuntimeException translate(String what, Throwable t) {
        Throwable e = t;
        while ((e instanceof ExecutionException || e instanceof CompletionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof SinkUnavailableException || e instanceof ClickHouseRejectedException) {
            return (RuntimeException) e;
        }
        if (e instanceof ServerException se) {
            int http = se.getTransportProtocolCode();
            boolean transientCode = se.isRetryable() || TRANSIENT_CODES.contains(se.getCode());
            boolean gatewayTrouble = se.getCode() == 0 && http >= 500;
            if (transientCode || gatewayTrouble || http == 502 || http == 503 || http == 504) {
                return SinkUnavailableException.of(what, e);
            }
            return ClickHouseRejectedException.byServer(what, se.getCode(), se.getMessage(), e);
        }
        if (e instanceof ClientMisconfigurationException) {
            return ClickHouseRejectedException.byServer(what, 0, "client misconfiguration: " + e.getMessage(), e);
        }
        if (e instanceof ConnectionInitiationException || e instanceof DataTransferException || e instanceof IOException
                || e instanceof ClientException || hasIoCause(e)) {
            return SinkUnavailableException.of(what, e);
        }
        return ClickHouseRejectedException.byServer(what, 0, "unexpected client failure: " + e, e);
    }

    private static boolean hasIoCause(Throwable e) {
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** Rows of a RowBinaryWithNamesAndTypes answer; values are the raw forms of {@link ValueReaders#readRaw}. */
    public record QueryResult(List<String> names, List<ChType> types, List<Object[]> rows) {

        /** The single value of a one-row, one-column answer. */
        public Object single() {
            if (rows.size() != 1 || names.size() != 1) {
                throw new IllegalStateException("expected one value, got " + rows.size() + " rows of " + names.size() + " columns");
            }
            return rows.get(0)[0];
        }
    }

    private static QueryResult decode(InputStream stream) throws IOException {
        RowBinaryInput in = new RowBinaryInput(stream);
        if (in.atEnd()) {
            return new QueryResult(List.of(), List.of(), List.of());
        }
        int n = (int) in.readVarUInt();
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            names.add(in.readString());
        }
        List<ChType> types = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            types.add(ChType.parse(in.readString()));
        }
        List<Object[]> rows = new ArrayList<>();
        while (!in.atEnd()) {
            Object[] row = new Object[n];
            for (int i = 0; i < n; i++) {
                row[i] = ValueReaders.readRaw(types.get(i), in);
            }
            rows.add(row);
        }
        return new QueryResult(List.copyOf(names), List.copyOf(types), rows);
    }

    @Override
    public void close() {
        client.close();
    }
}
