package io.echodb.adapters.peerdb;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a PostgreSQL-protocol server that records what the client sends, decoded from the wire:
 * every frontend message type after start-up, and the text of every simple Query ('Q') and Parse ('P') message. Bytes
 * pass through unchanged in both directions.
 */
final class RecordingPgProxy implements AutoCloseable {

    private static final int SSL_REQUEST = 80877103;
    private static final int GSS_REQUEST = 80877104;

    private final ServerSocket server;
    private final String upstreamHost;
    private final int upstreamPort;
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final List<Character> messageTypes = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    RecordingPgProxy(String upstreamHost, int upstreamPort) throws IOException {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "pg-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Statement texts sent with the simple ('Q') or extended ('P') query protocol, in order. */
    List<String> queries() {
        return List.copyOf(queries);
    }

    /** Frontend message types after start-up, in order (e.g. 'p' password, 'Q' query, 'X' terminate). */
    List<Character> messageTypes() {
        return List.copyOf(messageTypes);
    }

    void clear() {
        queries.clear();
        messageTypes.clear();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(upstreamHost, upstreamPort);
                sockets.add(client);
                sockets.add(upstream);
                start(() -> pump(upstream.getInputStream(), client.getOutputStream()), "pg-proxy-down");
                start(() -> recordAndPump(client.getInputStream(), upstream.getOutputStream()), "pg-proxy-up");
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void recordAndPump(InputStream in, OutputStream out) throws IOException {
        DataInputStream data = new DataInputStream(in);
        boolean started = false;
        try {
            while (true) {
                if (!started) {
                    int length = data.readInt();
                    byte[] body = data.readNBytes(length - 4);
                    int code = ByteBuffer.wrap(body).getInt();
                    started = code != SSL_REQUEST && code != GSS_REQUEST;
                    out.write(ByteBuffer.allocate(4).putInt(length).array());
                    out.write(body);
                } else {
                    int type = data.readUnsignedByte();
                    int length = data.readInt();
                    byte[] body = data.readNBytes(length - 4);
                    messageTypes.add((char) type);
                    if (type == 'Q') {
                        queries.add(cString(body, 0));
                    } else if (type == 'P') {
                        int nameEnd = indexOfNul(body, 0);
                        queries.add(cString(body, nameEnd + 1));
                    }
                    out.write(type);
                    out.write(ByteBuffer.allocate(4).putInt(length).array());
                    out.write(body);
                }
                out.flush();
            }
        } catch (EOFException e) {
            out.close();
        }
    }

    private static void pump(InputStream in, OutputStream out) throws IOException {
        in.transferTo(out);
        out.close();
    }

    private static String cString(byte[] body, int from) {
        return new String(body, from, indexOfNul(body, from) - from, StandardCharsets.UTF_8);
    }

    private static int indexOfNul(byte[] body, int from) {
        for (int i = from; i < body.length; i++) {
            if (body[i] == 0) {
                return i;
            }
        }
        return body.length;
    }

    private interface IoTask {
        void run() throws IOException;
    }

    private static void start(IoTask task, String name) {
        Thread t = new Thread(() -> {
            try {
                task.run();
            } catch (IOException e) {
                // connection closed by either side
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        List<Socket> all = new ArrayList<>(sockets);
        for (Socket s : all) {
            s.close();
        }
    }
}
