package io.echodb.adapters.postgres.jdbc;

import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import javax.net.ssl.SSLException;

/**
 * TLS to PostgreSQL failed in a way retrying cannot fix: the server's certificate is not signed by the trusted root
 * certificate, its names do not include the host connected to, or the root certificate cannot be read. One line that
 * says which, with the host, the sslmode and the root certificate file. SQLSTATE 28000 (not a connection failure, 08…),
 * so start-up stops at once instead of retrying.
 */
public final class PgTlsException extends SQLException {

    private PgTlsException(String message, Throwable cause) {
        super(message, "28000", cause);
    }

    /** The TLS failure {@code e} stands for, explained; empty when {@code e} is not about TLS verification. */
    static Optional<SQLException> explain(SQLException e, String url, Properties props) {
        String message = String.valueOf(e.getMessage());
        String where = "PostgreSQL at " + url.replaceFirst("^jdbc:postgresql://", "").replaceFirst("/.*$", "")
                + " (sslmode=" + props.getProperty("sslmode", "prefer") + ", root certificate "
                + props.getProperty("sslrootcert", "~/.postgresql/root.crt") + ")";
        if (message.contains("could not be verified by hostnameverifier")) {
            return Optional.of(new PgTlsException("TLS refused for " + where + ": the host name is not among the names"
                    + " in the server's certificate; connect by a name the certificate lists, or use sslmode=verify-ca", e));
        }
        if (message.contains("Could not open SSL root certificate file") || message.contains("Could not read SSL root certificate")) {
            return Optional.of(new PgTlsException("TLS refused for " + where + ": the root certificate file cannot be read", e));
        }
        if (hasCause(e, SSLException.class) && (message.contains("PKIX") || causeText(e).contains("PKIX"))) {
            return Optional.of(new PgTlsException("TLS refused for " + where + ": the server's certificate is not signed"
                    + " by the trusted root certificate", e));
        }
        if (message.contains("The server does not support SSL")) {
            return Optional.of(new PgTlsException("TLS refused for " + where + ": the server does not accept TLS"
                    + " connections (ssl = off); enable ssl on the server or lower POSTGRES_SSLMODE", e));
        }
        return Optional.empty();
    }

    /** The explained TLS refusal among {@code t}'s causes (a pool reports its last connection failure as the cause). */
    static Optional<PgTlsException> causeOf(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof PgTlsException tls) {
                return Optional.of(tls);
            }
        }
        return Optional.empty();
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static String causeText(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append(' ');
        }
        return sb.toString();
    }
}
