package io.echodb.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * ClickHouse's HTTP interface spoken directly (no EchoDB code): for the sink-side ceilings of the benchmark, i.e. how
 * fast this ClickHouse accepts RowBinary inserts of a given size at all.
 */
final class ClickHouseHttp {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Endpoints ep;

    ClickHouseHttp(Endpoints ep) {
        this.ep = ep;
    }

    /** Runs a query (in the body) and returns its raw output. */
    byte[] query(String sql) throws IOException, InterruptedException {
        return send(request("").POST(HttpRequest.BodyPublishers.ofString(sql)).build(), sql);
    }

    /** Sends {@code data} as the body of {@code insert} (which names its format); returns the wall time in nanoseconds. */
    long insert(String insert, byte[] data) throws IOException, InterruptedException {
        HttpRequest r = request("?query=" + URLEncoder.encode(insert, StandardCharsets.UTF_8))
                .POST(HttpRequest.BodyPublishers.ofByteArray(data)).build();
        long t0 = System.nanoTime();
        send(r, insert);
        return System.nanoTime() - t0;
    }

    private HttpRequest.Builder request(String suffix) {
        return HttpRequest.newBuilder(URI.create("http://" + ep.chHost() + ":" + ep.chPort() + "/" + suffix))
                .timeout(Duration.ofMinutes(10))
                .header("X-ClickHouse-User", ep.chUser())
                .header("X-ClickHouse-Key", ep.chPassword());
    }

    private byte[] send(HttpRequest r, String what) throws IOException, InterruptedException {
        HttpResponse<byte[]> resp = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
        if (resp.statusCode() != 200) {
            throw new IOException("ClickHouse answered " + resp.statusCode() + " to " + what + ": "
                    + new String(resp.body(), StandardCharsets.UTF_8).strip());
        }
        return resp.body();
    }
}
