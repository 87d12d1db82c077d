package io.echodb.adapters.peerdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for a PeerDB deployment, for tests where the real one (a dozen containers) cannot run: its flow API is a
 * real HTTP server speaking grpc-gateway's JSON, and its SQL side interprets the statements the adapter sends. Both
 * follow PeerDB's behaviour as read from its source: peers are created with ON CONFLICT DO NOTHING; CREATE MIRROR
 * needs both peers and answers "MIRROR ALREADY EXISTS" under IF NOT EXISTS; DROP MIRROR ignores IF EXISTS (a missing
 * mirror is a "not found" error) and terminates asynchronously (the mirror disappears after a few status reads);
 * PAUSE works only on RUNNING mirrors (PAUSING first, then PAUSED) and RESUME only on PAUSED ones, anything else being
 * silently ignored; new mirrors go SETUP, SNAPSHOT, RUNNING over successive status reads. Unknown statements are
 * syntax errors. Tests can queue SQL failures and HTTP answers.
 */
final class FakePeerDb implements PeerDbMirrorControl.StatementExecutor, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CREATE_PEER = Pattern.compile("CREATE PEER IF NOT EXISTS (\\w+) FROM (\\w+) WITH \\(.*\\)",
            Pattern.DOTALL);
    private static final Pattern CREATE_MIRROR = Pattern.compile(
            "CREATE MIRROR IF NOT EXISTS (\\w+) FROM (\\w+) TO (\\w+) WITH TABLE MAPPING \\(([^:]+):([^)]+)\\) WITH \\((.*)\\)");
    private static final Pattern MIRROR_COMMAND = Pattern.compile("(DROP|PAUSE|RESUME|RESYNC) MIRROR (IF EXISTS )?(\\w+)");

    /** One mirror as PeerDB's catalog and Temporal would have it. */
    static final class Mirror {
        final String name;
        final String sourcePeer;
        final String targetPeer;
        final List<String[]> mappings = new ArrayList<>();
        boolean cdc = true;
        PeerDbFlowStatus status = PeerDbFlowStatus.STATUS_SETUP;
        int readsUntilGone = -1;
        long rowsSynced;
        long snapshotRows;
        int partitionsDone;
        int partitionsTotal = 1;
        double lagMb;

        Mirror(String name, String sourcePeer, String targetPeer, String source, String target) {
            this.name = name;
            this.sourcePeer = sourcePeer;
            this.targetPeer = targetPeer;
            mappings.add(new String[] {source, target});
        }
    }

    private final HttpServer http;
    private final TreeMap<String, Mirror> mirrors = new TreeMap<>();
    private final Set<String> peers = new HashSet<>();
    private final List<String> statements = new ArrayList<>();
    private final List<String> requests = new ArrayList<>();
    private final Deque<SQLException> sqlFailures = new ArrayDeque<>();
    private final Deque<int[]> httpStatuses = new ArrayDeque<>();
    private final List<String> authorizations = new ArrayList<>();
    /** Status reads a dropped mirror survives (PeerDB's drop workflow takes a while). */
    private int dropReads = 2;
    private boolean autoAdvance = true;
    private boolean failSlotReads;

    FakePeerDb() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", this::handle);
        http.setExecutor(Executors.newFixedThreadPool(4));
        http.start();
    }

    URI flowApiUrl() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    // --- test controls

    synchronized List<String> statements() {
        return List.copyOf(statements);
    }

    synchronized List<String> requests() {
        return List.copyOf(requests);
    }

    synchronized List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    synchronized void clearLogs() {
        statements.clear();
        requests.clear();
    }

    synchronized Set<String> peers() {
        return Set.copyOf(peers);
    }

    synchronized void addPeer(String name) {
        peers.add(name);
    }

    synchronized Mirror put(Mirror m) {
        mirrors.put(m.name, m);
        return m;
    }

    synchronized Mirror mirror(String name) {
        return mirrors.get(name);
    }

    synchronized void setStatus(String name, PeerDbFlowStatus status) {
        mirrors.get(name).status = status;
    }

    /** With false, states only change when a test says so (no SETUP -> SNAPSHOT -> RUNNING on reads). */
    synchronized void autoAdvance(boolean on) {
        autoAdvance = on;
    }

    /** With true, slot reads answer 500 (e.g. the source peer is unreachable for PeerDB). */
    synchronized void failSlotReads(boolean on) {
        failSlotReads = on;
    }

    synchronized void dropTakes(int statusReads) {
        dropReads = statusReads;
    }

    /** The next statement fails with {@code e} (queue one per statement). */
    synchronized void failNextStatement(SQLException e) {
        sqlFailures.add(e);
    }

    /** The next HTTP request is answered with {@code status} and a grpc-gateway error body. */
    synchronized void answerNextRequest(int status) {
        httpStatuses.add(new int[] {status});
    }

    // --- the SQL side

    @Override
    public synchronized void execute(String sql) throws SQLException {
        statements.add(sql);
        if (!sqlFailures.isEmpty()) {
            throw sqlFailures.poll();
        }
        Matcher m;
        if ((m = CREATE_PEER.matcher(sql)).matches()) {
            peers.add(m.group(1)); // ON CONFLICT (name) DO NOTHING
        } else if ((m = CREATE_MIRROR.matcher(sql)).matches()) {
            if (!m.group(6).contains("do_initial_copy")) {
                throw new SQLException("do_initial_copy must be a boolean", "internal_error");
            }
            if (!peers.contains(m.group(2)) || !peers.contains(m.group(3))) {
                throw new SQLException("unable to submit job: \"status: NotFound, message: \\\"peer not found\\\"\"", "XX000");
            }
            if (!mirrors.containsKey(m.group(1))) {
                mirrors.put(m.group(1), new Mirror(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)));
            }
        } else if ((m = MIRROR_COMMAND.matcher(sql)).matches()) {
            command(m.group(1), m.group(3));
        } else {
            throw new SQLException("sql parser error: unexpected statement", "XX000");
        }
    }

    private void command(String verb, String name) throws SQLException {
        Mirror mirror = mirrors.get(name);
        if (mirror == null) {
            // PeerDB ignores IF EXISTS on DROP; without IF EXISTS the others fail the same way.
            throw new SQLException("unable to " + verb.toLowerCase() + " flow job: status: NotFound, message: \"flow "
                    + name + " not found\"", "XX000");
        }
        switch (verb) {
            case "DROP" -> {
                if (mirror.status != PeerDbFlowStatus.STATUS_TERMINATING) {
                    mirror.status = PeerDbFlowStatus.STATUS_TERMINATING;
                    mirror.readsUntilGone = dropReads;
                }
            }
            case "PAUSE" -> {
                if (mirror.status == PeerDbFlowStatus.STATUS_RUNNING) {
                    mirror.status = PeerDbFlowStatus.STATUS_PAUSING;
                }
            }
            case "RESUME" -> {
                if (mirror.status == PeerDbFlowStatus.STATUS_PAUSED) {
                    mirror.status = PeerDbFlowStatus.STATUS_RUNNING;
                }
            }
            case "RESYNC" -> mirror.status = PeerDbFlowStatus.STATUS_RESYNC;
            default -> throw new IllegalStateException(verb);
        }
    }

    // --- the flow API side

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        int[] forced;
        synchronized (this) {
            requests.add(ex.getRequestMethod() + " " + path + (body.isEmpty() ? "" : " " + body));
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "" : auth);
            forced = httpStatuses.poll();
            if (forced == null && failSlotReads && path.startsWith("/v1/peers/slots/")) {
                forced = new int[] {500};
            }
        }
        if (forced != null) {
            reply(ex, forced[0], error(forced[0] == 404 ? 5 : 14, "forced answer " + forced[0]));
            return;
        }
        try {
            if (path.equals("/v1/mirrors/list") && ex.getRequestMethod().equals("GET")) {
                reply(ex, 200, list());
            } else if (path.equals("/v1/mirrors/status") && ex.getRequestMethod().equals("POST")) {
                JsonNode req = JSON.readTree(body);
                ObjectNode status = status(req.path("flowJobName").asText(), req.path("includeFlowInfo").asBoolean());
                if (status == null) {
                    reply(ex, 404, error(5, "flow " + req.path("flowJobName").asText() + " not found"));
                } else {
                    reply(ex, 200, status);
                }
            } else if (path.startsWith("/v1/peers/slots/") && ex.getRequestMethod().equals("GET")) {
                reply(ex, 200, slots(path.substring("/v1/peers/slots/".length())));
            } else {
                reply(ex, 404, error(5, "Not Found"));
            }
        } catch (RuntimeException e) {
            reply(ex, 500, error(13, e.toString()));
        }
    }

    private synchronized ObjectNode list() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode arr = root.putArray("mirrors");
        long id = 1;
        for (Mirror m : mirrors.values()) {
            arr.addObject().put("id", Long.toString(id++)).put("workflowId", m.name + "-wf").put("name", m.name)
                    .put("sourceName", m.sourcePeer).put("sourceType", "POSTGRES")
                    .put("destinationName", m.targetPeer).put("destinationType", "CLICKHOUSE")
                    .put("createdAt", 1.7e12).put("isCdc", m.cdc).put("status", m.status.name());
        }
        return root;
    }

    private synchronized ObjectNode status(String name, boolean includeFlowInfo) {
        Mirror m = mirrors.get(name);
        if (m == null) {
            return null;
        }
        if (m.status == PeerDbFlowStatus.STATUS_TERMINATING || m.status == PeerDbFlowStatus.STATUS_TERMINATED) {
            if (m.readsUntilGone-- <= 0) {
                mirrors.remove(name);
                return null;
            }
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("flowJobName", name);
        if (includeFlowInfo && m.cdc) {
            ObjectNode cdc = root.putObject("cdcStatus");
            ObjectNode config = cdc.putObject("config");
            config.put("flowJobName", name).put("sourceName", m.sourcePeer).put("destinationName", m.targetPeer)
                    .put("doInitialSnapshot", true).put("maxBatchSize", 0).put("idleTimeoutSeconds", "0");
            ArrayNode tms = config.putArray("tableMappings");
            for (String[] tm : m.mappings) {
                tms.addObject().put("sourceTableIdentifier", tm[0]).put("destinationTableIdentifier", tm[1])
                        .put("partitionKey", "").putArray("exclude");
            }
            ArrayNode clones = cdc.putObject("snapshotStatus").putArray("clones");
            clones.addObject().put("tableName", m.mappings.get(0)[1]).put("numPartitionsCompleted", m.partitionsDone)
                    .put("numPartitionsTotal", m.partitionsTotal).put("numRowsSynced", Long.toString(m.snapshotRows))
                    .put("avgTimePerPartitionMs", "12").put("flowJobName", name + "_clone");
            cdc.putArray("cdcBatches");
            cdc.put("sourceType", "POSTGRES").put("destinationType", "CLICKHOUSE")
                    .put("rowsSynced", Long.toString(m.rowsSynced));
        } else if (includeFlowInfo) {
            root.putObject("qrepStatus").putArray("partitions");
        }
        root.put("currentFlowState", m.status.name());
        root.put("createdAt", "2025-01-01T00:00:00Z");
        advance(m);
        return root;
    }

    /** PeerDB's workflows move on between reads. */
    private void advance(Mirror m) {
        if (!autoAdvance) {
            return;
        }
        switch (m.status) {
            case STATUS_SETUP -> m.status = PeerDbFlowStatus.STATUS_SNAPSHOT;
            case STATUS_SNAPSHOT, STATUS_RESYNC -> {
                m.partitionsDone = m.partitionsTotal;
                m.status = PeerDbFlowStatus.STATUS_RUNNING;
            }
            case STATUS_PAUSING -> m.status = PeerDbFlowStatus.STATUS_PAUSED;
            default -> { }
        }
    }

    private synchronized ObjectNode slots(String peer) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode arr = root.putArray("slotData");
        for (Mirror m : mirrors.values()) {
            if (m.sourcePeer.equals(peer)) {
                arr.addObject().put("slotName", "peerflow_slot_" + m.name).put("redoLSN", "0/1").put("restartLSN", "0/1")
                        .put("active", true).put("lagInMb", m.lagMb).put("confirmedFlushLSN", "0/1")
                        .put("walStatus", "reserved");
            }
        }
        return root;
    }

    private static ObjectNode error(int grpcCode, String message) {
        ObjectNode e = JSON.createObjectNode();
        e.put("code", grpcCode).put("message", message).putArray("details");
        return e;
    }

    private static void reply(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The statements sent so far, by first word pair (e.g. "CREATE PEER"), for quick assertions. */
    synchronized Map<String, Long> statementKinds() {
        Map<String, Long> kinds = new TreeMap<>();
        for (String s : statements) {
            String[] w = s.split(" ", 3);
            kinds.merge(w[0] + " " + w[1], 1L, Long::sum);
        }
        return kinds;
    }

    @Override
    public void close() {
        http.stop(0);
        ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
    }
}
