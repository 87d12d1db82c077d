package io.echodb.runner.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tiny TCP proxy on 127.0.0.1 in front of a real server, to take the server away from a client without touching the
 * server: {@link #cut()} resets every open connection and refuses new ones (reset right after accept) until
 * {@link #restore()}; {@link #kill()} does the same for good. Resets use SO_LINGER 0, so both ends see an abrupt
 * connection loss, as when a process dies or a network path breaks. {@link #pause()} stalls instead: connections stay
 * open (new ones are accepted and connected) but no byte is passed on in either direction until {@link #resume()},
 * as when a network path silently drops packets for a while; bytes read meanwhile are held and delivered on resume.
 */
public final class TcpProxy implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TcpProxy.class);

    private final String name;
    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Object pauseLock = new Object();
    private volatile boolean refusing;
    private volatile boolean paused;
    private volatile boolean dead;
    private volatile boolean closed;

    private TcpProxy(String name, String targetHost, int targetPort) throws IOException {
        this.name = name;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        Thread acceptor = new Thread(this::acceptLoop, "proxy-" + name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static TcpProxy start(String name, String targetHost, int targetPort) {
        try {
            return new TcpProxy(name, targetHost, targetPort);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start proxy " + name + ": " + e, e);
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted and passed on so far. */
    public long accepted() {
        return accepted.get();
    }

    /** Connections reset on arrival while cut. */
    public long refused() {
        return refused.get();
    }

    /** Resets every open connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        refusing = true;
        resetAll();
        LOG.info("proxy {} cut", name);
    }

    /** Passes new connections on again (not after {@link #kill()}). */
    public void restore() {
        if (!dead) {
            refusing = false;
            LOG.info("proxy {} restored", name);
        }
    }

    /** Cuts for good: the client behind this proxy never reaches the server again. */
    public void kill() {
        dead = true;
        refusing = true;
        resetAll();
    }

    public boolean isCut() {
        return refusing;
    }

    /**
     * Stalls every connection, open and new: nothing is passed on in either direction until {@link #resume()} (or a
     * cut or kill, which resets them as usual). Clients see no error, only silence, until their own timeouts fire.
     */
    public void pause() {
        paused = true;
        LOG.info("proxy {} paused", name);
    }

    /** Passes bytes on again after {@link #pause()}, including what was read while paused. */
    public void resume() {
        synchronized (pauseLock) {
            paused = false;
            pauseLock.notifyAll();
        }
        LOG.info("proxy {} resumed", name);
    }

    public boolean isPaused() {
        return paused;
    }

    @Override
    public void close() {
        closed = true;
        kill();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("proxy {} stopped accepting: {}", name, e.toString());
                }
                return;
            }
            if (refusing) {
                refused.incrementAndGet();
                reset(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(new InetSocketAddress(targetHost, targetPort), 5000);
            } catch (IOException e) {
                reset(client);
                reset(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            if (refusing) { // cut while connecting: this one must not survive either
                reset(client);
                reset(upstream);
                continue;
            }
            accepted.incrementAndGet();
            pump(client, upstream, "up");
            pump(upstream, client, "down");
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    awaitUnpaused(to);
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // reset or closed: tear the pair down below
            } finally {
                close(from);
                close(to);
            }
        }, "proxy-" + name + "-" + direction);
        t.setDaemon(true);
        t.start();
    }

    /** Holds a pump while paused; returns when resumed, or at once when the pair is torn down (the write then fails). */
    private void awaitUnpaused(Socket to) throws IOException {
        if (!paused) {
            return;
        }
        synchronized (pauseLock) {
            while (paused && !dead && !to.isClosed()) {
                try {
                    pauseLock.wait(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while paused", e);
                }
            }
        }
    }

    private void resetAll() {
        for (Socket s : open) {
            reset(s);
        }
    }

    private void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // already closed
        }
        close(s);
    }

    private void close(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public String toString() {
        return "TcpProxy[" + name + " 127.0.0.1:" + port() + " -> " + targetHost + ":" + targetPort + "]";
    }
}
