package io.echodb.adapters.peerdb;

import io.echodb.core.port.in.MirrorEngineException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns PeerDB failures into retryable or fatal {@link MirrorEngineException}s, with every configured secret scrubbed
 * from the message.
 *
 * <p>PeerDB's SQL interface does not use SQLSTATE consistently: its own errors carry codes such as
 * {@code internal_error}, {@code error} or XX000 whatever the cause. So the SQLSTATE decides where it is meaningful
 * (connection class 08, shutdown/cancel 57xxx, resources 53xxx, serialization 40xxx: retryable; syntax, data and
 * authorization errors: fatal) and otherwise the message does: connection-level trouble between PeerDB's components
 * (its flow service or Temporal unavailable, timeouts, maintenance mode) is retryable, everything else fatal.
 */
final class PeerDbFailures {

    private static final Pattern TRANSIENT_MESSAGE = Pattern.compile(
            "unavailable|connection refused|connection reset|broken pipe|transport error|timed? ?out|timeout"
                    + "|deadline exceeded|temporar|maintenance|too many connections|unable to connect|error trying to connect"
                    + "|connection closed|unexpected eof|server closed the connection|try again",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ALREADY_EXISTS = Pattern.compile("already exists", Pattern.CASE_INSENSITIVE);
    private static final Pattern NOT_FOUND = Pattern.compile(
            "not found|no such mirror|does not exist|no rows in result set", Pattern.CASE_INSENSITIVE);

    private final List<String> secrets;

    PeerDbFailures(List<String> secrets) {
        this.secrets = List.copyOf(secrets);
    }

    /** Classifies a failure of a statement on PeerDB's SQL interface; {@code summary} names the statement. */
    MirrorEngineException sql(String summary, SQLException e) {
        String message = "PeerDB " + summary + " failed: " + describe(e);
        Throwable cause = safeCause(e);
        return isRetryable(e) ? MirrorEngineException.retryable(message, cause) : MirrorEngineException.fatal(message, cause);
    }

    /** Classifies a flow API call that could not complete (no HTTP answer). */
    MirrorEngineException unreachable(String what, Exception e) {
        return MirrorEngineException.retryable("PeerDB flow API " + what + " failed: " + scrub(String.valueOf(e)),
                safeCause(e));
    }

    /** Classifies an HTTP answer other than 2xx/404: 5xx (and 408/429) retryable, other 4xx fatal. */
    MirrorEngineException http(String what, int status, String message) {
        String text = "PeerDB flow API " + what + " answered HTTP " + status + ": " + scrub(message)
                + (status == 401 || status == 403 ? " (check the flow API token)" : "");
        boolean retryable = status >= 500 || status == 408 || status == 429;
        return retryable ? MirrorEngineException.retryable(text, null) : MirrorEngineException.fatal(text, null);
    }

    /** A 2xx answer PeerDB should never give (not JSON, missing fields): fatal, it will not get better by retrying. */
    MirrorEngineException malformed(String what, String detail) {
        return MirrorEngineException.fatal("PeerDB flow API " + what + " returned an unexpected answer: " + scrub(detail), null);
    }

    static boolean isRetryable(SQLException e) {
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException || e instanceof SQLTimeoutException) {
            return true;
        }
        String message = String.valueOf(e.getMessage());
        if (message.startsWith("No suitable driver")) {
            return false; // a packaging mistake, not an outage (DriverManager reports it with SQLSTATE 08001)
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState().toUpperCase(Locale.ROOT);
        if (state.startsWith("08") || state.startsWith("53") || state.startsWith("40")
                || state.equals("57P01") || state.equals("57P02") || state.equals("57P03") || state.equals("57014")) {
            return true;
        }
        if (isStandardFatalState(state)) {
            return false;
        }
        // PeerDB's own codes (internal_error, error, XX000, none): the message and the cause decide.
        return TRANSIENT_MESSAGE.matcher(message).find() || hasIoCause(e);
    }

    static boolean isAlreadyExists(SQLException e) {
        return "42710".equals(e.getSQLState()) || "42P07".equals(e.getSQLState())
                || ALREADY_EXISTS.matcher(String.valueOf(e.getMessage())).find();
    }

    static boolean isNotFound(SQLException e) {
        return NOT_FOUND.matcher(String.valueOf(e.getMessage())).find();
    }

    static boolean isNotFoundMessage(String message) {
        return message != null && NOT_FOUND.matcher(message).find();
    }

    String scrub(String text) {
        String out = text == null ? "" : text;
        for (String secret : secrets) {
            out = out.replace(secret, "****");
        }
        return out;
    }

    /** The cause to attach, or null when any message in its chain contains a secret (stack traces get logged). */
    private Throwable safeCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (!scrub(m).equals(m)) {
                return null;
            }
        }
        return e;
    }

    private String describe(SQLException e) {
        String state = e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]";
        return scrub(String.valueOf(e.getMessage())) + state;
    }

    private static boolean isStandardFatalState(String state) {
        // syntax/access rule (42), data (22), integrity (23), invalid authorization (28), catalog name (3D),
        // feature not supported (0A), invalid transaction state (25)
        return state.length() == 5 && (state.startsWith("42") || state.startsWith("22") || state.startsWith("23")
                || state.startsWith("28") || state.startsWith("3D") || state.startsWith("0A") || state.startsWith("25"));
    }

    private static boolean hasIoCause(Throwable e) {
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
