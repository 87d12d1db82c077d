package io.echodb.core.testing.services;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks free TCP ports on 127.0.0.1 and retries a server start when its port is taken in between. */
public final class FreePorts {
    private static final Logger LOG = LoggerFactory.getLogger(FreePorts.class);

    private FreePorts() {
    }

    /** A TCP port that is free on 127.0.0.1 right now. */
    public static int pick() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free TCP port", e);
        }
    }

    /**
     * Calls {@code start} with a free port, up to {@code attempts} times while it throws {@link PortInUseException};
     * returns the port it started on. {@code server} names the server in the log message of a retry.
     */
    public static int startOnFreePort(int attempts, String server, IntConsumer start) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            int port = pick();
            try {
                start.accept(port);
                return port;
            } catch (PortInUseException e) {
                LOG.info("Port {} was taken before {} could bind it, retrying with another port", port, server);
                last = e;
            }
        }
        throw last;
    }

    /** Thrown by a start attempt whose server could not bind its port (another process took it first). */
    public static final class PortInUseException extends RuntimeException {
        public PortInUseException(String log) {
            super("port in use: " + log);
        }
    }
}
