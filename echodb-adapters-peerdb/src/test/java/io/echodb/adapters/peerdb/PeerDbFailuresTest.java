package io.echodb.adapters.peerdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.echodb.core.port.in.MirrorEngineException;
import java.io.IOException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PeerDbFailuresTest {

    private final PeerDbFailures failures = new PeerDbFailures(List.of("hunter2-secret", "tok-123"));

    @ParameterizedTest(name = "{0} / {1} -> retryable={2}")
    @CsvSource(delimiter = '|', value = {
            // standard SQLSTATEs (pgjdbc, or a real PostgreSQL behind the port)
            "08001 | Connection to localhost:9900 refused. Check that the hostname and port are correct | true",
            "08006 | An I/O error occurred while sending to the backend. | true",
            "57P01 | terminating connection due to administrator command | true",
            "57P03 | the database system is starting up | true",
            "57014 | canceling statement due to statement timeout | true",
            "53300 | sorry, too many clients already | true",
            "40001 | could not serialize access | true",
            "42601 | syntax error at or near \"MIRROR\" | false",
            "42601 | syntax error, connection refused is not a reason to retry a syntax error | false",
            "28P01 | password authentication failed for user \"echodb\" | false",
            "3D000 | database \"nope\" does not exist | false",
            "22023 | missing_parameter_value | false",
            // PeerDB's own codes: the message decides
            "internal_error | unable to submit job: \"status: Unavailable, message: \\\"error trying to connect\\\"\" | true",
            "XX000 | unable to shutdown flow job: transport error | true",
            "XX000 | unable to query catalog for job metadata: connection refused | true",
            "XX000 | Flow state change request denied due to maintenance | true",
            "internal_error | failed to create peer: failed to validate peer: replication is not enabled | false",
            "XX000 | unable to submit job: \"status: InvalidArgument, message: \\\"table public.t has no primary key\\\"\" | false",
            "XX000 | sql parser error: Expected: TABLE or SCHEMA, found: EOF | false",
            "error | mirror already exists: \"users_mirror\" | false",
            "internal_error | do_initial_copy must be a boolean | false",
    })
    void classifiesSqlFailures(String state, String message, boolean retryable) {
        MirrorEngineException e = failures.sql("CREATE MIRROR m", new SQLException(message, state));

        assertThat(e.isRetryable()).isEqualTo(retryable);
        assertThat(e.getMessage()).startsWith("PeerDB CREATE MIRROR m failed: ").contains("[SQLSTATE " + state + "]");
    }

    @Test
    void transientExceptionTypesAndIoCausesAreRetryable() {
        assertThat(PeerDbFailures.isRetryable(new SQLTransientConnectionException("gone", "08000"))).isTrue();
        assertThat(PeerDbFailures.isRetryable(new SQLTimeoutException("slow"))).isTrue();
        assertThat(PeerDbFailures.isRetryable(new SQLException("odd", null, new ConnectException("refused")))).isTrue();
        assertThat(PeerDbFailures.isRetryable(new SQLException("odd", "XX000", new IOException("reset")))).isTrue();
        assertThat(PeerDbFailures.isRetryable(new SQLException("odd"))).isFalse();
    }

    @Test
    void aMissingDriverIsAPackagingMistakeNotAnOutage() {
        SQLException noDriver = new SQLException("No suitable driver found for jdbc:postgresql://peerdb:9900/peerdb", "08001");

        assertThat(PeerDbFailures.isRetryable(noDriver)).isFalse();
    }

    @Test
    void recognisesAlreadyExistsAndNotFound() {
        assertThat(PeerDbFailures.isAlreadyExists(new SQLException("mirror already exists: \"m\"", "error"))).isTrue();
        assertThat(PeerDbFailures.isAlreadyExists(new SQLException("x", "42710"))).isTrue();
        assertThat(PeerDbFailures.isAlreadyExists(new SQLException("syntax error", "42601"))).isFalse();
        assertThat(PeerDbFailures.isNotFound(new SQLException(
                "unable to shutdown flow job: status: NotFound, message: \"flow m not found\"", "XX000"))).isTrue();
        assertThat(PeerDbFailures.isNotFound(new SQLException("no such mirror: \"m\"", "error"))).isTrue();
        assertThat(PeerDbFailures.isNotFound(new SQLException("syntax error", "42601"))).isFalse();
    }

    @ParameterizedTest(name = "HTTP {0} -> retryable={1}")
    @CsvSource({"500, true", "502, true", "503, true", "504, true", "408, true", "429, true",
            "400, false", "401, false", "403, false", "404, false", "409, false"})
    void classifiesHttpAnswers(int status, boolean retryable) {
        MirrorEngineException e = failures.http("POST /v1/mirrors/status", status, "boom");

        assertThat(e.isRetryable()).isEqualTo(retryable);
        assertThat(e.getMessage()).contains("HTTP " + status).contains("boom");
    }

    @Test
    void unreachableIsRetryableAndAnUnexpectedAnswerIsFatal() {
        assertThat(failures.unreachable("GET /v1/mirrors/list", new ConnectException("Connection refused")).isRetryable())
                .isTrue();
        assertThat(failures.malformed("GET /v1/mirrors/list", "not JSON").isRetryable()).isFalse();
    }

    @Test
    void secretsNeverReachMessagesOrCauses() {
        SQLException leaky = new SQLException("failed to create peer: bad password 'hunter2-secret'", "internal_error");

        MirrorEngineException e = failures.sql("CREATE PEER p", leaky);
        MirrorEngineException h = failures.http("GET /x", 401, "token tok-123 rejected");

        assertThat(e.getMessage()).doesNotContain("hunter2-secret").contains("****");
        assertThat(e.getCause()).as("a cause whose message holds a secret is not attached").isNull();
        assertThat(h.getMessage()).doesNotContain("tok-123").contains("check the flow API token");
        SQLException clean = new SQLException("syntax error", "42601");
        assertThat(failures.sql("CREATE PEER p", clean).getCause()).isSameAs(clean);
    }
}
