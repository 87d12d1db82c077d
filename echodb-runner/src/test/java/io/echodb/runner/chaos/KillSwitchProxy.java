package io.echodb.runner.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, put between one EchoDB worker and PostgreSQL (or ClickHouse) so
 * that the worker can be killed the way a process dies: {@link #kill()} resets every open connection (SO_LINGER 0,
 * both servers see an abrupt loss mid-flight: the walsender exits, a half-sent insert is discarded) and resets every
 * later connection on arrival. (The minimal part of the engine tests' {@code TcpProxy}, which is package-private
 * there.)
 */
final class KillSwitchProxy implements AutoCloseable {

    private final String name;
    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean dead;
    private volatile boolean closed;

    private KillSwitchProxy(String name, String targetHost, int targetPort) throws IOException {
        this.name = name;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        Thread acceptor = new Thread(this::acceptLoop, "chaos-proxy-" + name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static KillSwitchProxy start(String name, String targetHost, int targetPort) {
        try {
            return new KillSwitchProxy(name, targetHost, targetPort);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start proxy " + name + ": " + e, e);
        }
    }

    String host() {
        return "127.0.0.1";
    }

    int port() {
        return server.getLocalPort();
    }

    /** Resets every connection now and every later one on arrival, for good. Idempotent. */
    void kill() {
        dead = true;
        for (Socket s : open) {
            reset(s);
        }
    }

    /** Kills and stops listening (at the very end, so that no later proxy reuses a killed proxy's port meanwhile). */
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
                return;
            }
            if (dead) {
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
            if (dead) { // killed while connecting: this pair must not survive either
                reset(client);
                reset(upstream);
                continue;
            }
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
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // reset or closed: tear the pair down below
            } finally {
                close(from);
                close(to);
            }
        }, "chaos-proxy-" + name + "-" + direction);
        t.setDaemon(true);
        t.start();
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
        return "proxy " + name + " 127.0.0.1:" + port() + " -> " + targetHost + ":" + targetPort;
    }
}
