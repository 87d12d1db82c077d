package io.echodb.adapters.peerdb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The read side of PeerDB: its flow API over HTTP (grpc-gateway, so protojson: lowerCamelCase field names, enums as
 * names, 64-bit integers as strings, errors as {@code {"code", "message"}} with gRPC codes mapped to HTTP statuses).
 * Only the few fields EchoDB needs are read; unknown fields are ignored so newer PeerDB versions keep working.
 */
final class FlowApiClient {

    /** One row of {@code GET /v1/mirrors/list}. */
    record MirrorItem(String name, String sourceName, String destinationName, boolean cdc, PeerDbFlowStatus status) { }

    /** One {@code sourceTableIdentifier -> destinationTableIdentifier} pair of a mirror's configuration. */
    record TableMapping(String source, String destination) { }

    /** Initial-load progress of one table ({@code CloneTableSummary}). */
    record Clone(long rowsSynced, int partitionsCompleted, int partitionsTotal) { }

    /** The answer of {@code POST /v1/mirrors/status} with flow info, reduced to what EchoDB uses. */
    record MirrorDetail(String name, PeerDbFlowStatus status, boolean cdc, String sourceName, String destinationName,
                        List<TableMapping> mappings, long rowsSynced, List<Clone> clones) { }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PeerDbSettings.FlowApi api;
    private final PeerDbSettings.Timeouts timeouts;
    private final PeerDbFailures failures;
    private final HttpClient http;

    FlowApiClient(PeerDbSettings.FlowApi api, PeerDbSettings.Timeouts timeouts, PeerDbFailures failures) {
        this.api = api;
        this.timeouts = timeouts;
        this.failures = failures;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeouts.connect())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** {@code GET /v1/mirrors/list}: every mirror PeerDB knows, of any peers. */
    List<MirrorItem> listMirrors() {
        JsonNode body = call("GET /v1/mirrors/list", request("/v1/mirrors/list").GET().build(), false).orElseThrow();
        List<MirrorItem> items = new ArrayList<>();
        for (JsonNode m : body.path("mirrors")) {
            items.add(new MirrorItem(text(m, "name"), text(m, "sourceName"), text(m, "destinationName"),
                    m.path("isCdc").asBoolean(false), PeerDbFlowStatus.parse(text(m, "status"))));
        }
        return items;
    }

    /** {@code POST /v1/mirrors/status} with flow info and without batches; empty when PeerDB has no such mirror. */
    Optional<MirrorDetail> mirrorStatus(String name) {
        ObjectNode req = JSON.createObjectNode()
                .put("flowJobName", name)
                .put("includeFlowInfo", true)
                .put("excludeBatches", true);
        return call("POST /v1/mirrors/status", post("/v1/mirrors/status", req), true).map(b -> detail(name, b));
    }

    /**
     * {@code GET /v1/peers/slots/{peer}}: replication-slot lag in bytes by slot name, read from PeerDB's
     * {@code lagInMb} (so precise to about a kilobyte).
     */
    Map<String, Long> slotLagBytes(String peer) {
        // peer names are validated lower-case words, safe in a path
        JsonNode body = call("GET /v1/peers/slots", request("/v1/peers/slots/" + peer).GET().build(), false).orElseThrow();
        Map<String, Long> lag = new HashMap<>();
        for (JsonNode s : body.path("slotData")) {
            double mb = s.path("lagInMb").asDouble(0);
            lag.put(text(s, "slotName"), Math.max(0L, Math.round(mb * 1024 * 1024)));
        }
        return lag;
    }

    private MirrorDetail detail(String name, JsonNode b) {
        JsonNode cdc = b.path("cdcStatus");
        JsonNode config = cdc.path("config");
        List<TableMapping> mappings = new ArrayList<>();
        for (JsonNode tm : config.path("tableMappings")) {
            mappings.add(new TableMapping(text(tm, "sourceTableIdentifier"), text(tm, "destinationTableIdentifier")));
        }
        List<Clone> clones = new ArrayList<>();
        for (JsonNode c : cdc.path("snapshotStatus").path("clones")) {
            clones.add(new Clone(Math.max(0, c.path("numRowsSynced").asLong(0)),
                    c.path("numPartitionsCompleted").asInt(0), c.path("numPartitionsTotal").asInt(0)));
        }
        String flowName = text(b, "flowJobName");
        return new MirrorDetail(flowName.isEmpty() ? name : flowName, PeerDbFlowStatus.parse(text(b, "currentFlowState")),
                !cdc.isMissingNode(), text(config, "sourceName"), text(config, "destinationName"), List.copyOf(mappings),
                Math.max(0, cdc.path("rowsSynced").asLong(0)), List.copyOf(clones));
    }

    /** Sends; 2xx: the parsed body; 404 (and "not found" answers when {@code absentOk}): empty; else throws. */
    private Optional<JsonNode> call(String what, HttpRequest request, boolean absentOk) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw failures.unreachable(what + " at " + api.baseUrl(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failures.unreachable(what + " (interrupted)", e);
        }
        int status = response.statusCode();
        String body = response.body() == null ? "" : response.body();
        if (status / 100 == 2) {
            try {
                JsonNode node = JSON.readTree(body.isEmpty() ? "{}" : body);
                if (!node.isObject()) {
                    throw failures.malformed(what, "not a JSON object: " + abbreviate(body));
                }
                return Optional.of(node);
            } catch (JsonProcessingException e) {
                throw failures.malformed(what, "not JSON: " + abbreviate(body));
            }
        }
        String message = errorMessage(body);
        // PeerDB answers NotFound (404) for an unknown mirror; older versions said so in a 500.
        if (absentOk && (status == 404 || status == 500 && PeerDbFailures.isNotFoundMessage(message))) {
            return Optional.empty();
        }
        throw failures.http(what, status, message);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.resolve(path))
                .timeout(timeouts.request())
                .header("Accept", "application/json");
        if (!api.token().isEmpty()) {
            b.header("Authorization", "Bearer " + api.token());
        }
        return b;
    }

    private HttpRequest post(String path, ObjectNode body) {
        return request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                .build();
    }

    /** grpc-gateway's error body is {@code {"code": n, "message": "…"}}; fall back to the raw text. */
    private static String errorMessage(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.hasNonNull("message")) {
                return n.get("message").asText();
            }
        } catch (JsonProcessingException e) {
            // not JSON: a proxy page or plain text
        }
        return abbreviate(body);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isValueNode() ? v.asText() : "";
    }

    private static String abbreviate(String s) {
        String oneLine = s.replaceAll("\\s+", " ").trim();
        return oneLine.length() > 300 ? oneLine.substring(0, 300) + "…" : oneLine;
    }
}
