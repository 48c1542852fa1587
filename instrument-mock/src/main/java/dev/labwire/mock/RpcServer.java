package dev.labwire.mock;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.vxi11.internal.RecordMarking;
import dev.labwire.core.vxi11.internal.RpcCall;
import dev.labwire.core.vxi11.internal.RpcReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONC RPC service of the VXI-11 mock on loopback: a TCP listener with one thread per connection (record
 * marking, RFC 5531 section 11) and, when asked, a UDP socket on the same port (one call per datagram). Calls are
 * decoded here and answered by a {@link Handler}; a call that is not even an RPC CALL is dropped with the link
 * (TCP) or ignored (UDP), as there is no xid to answer.
 */
final class RpcServer {

    private static final Logger log = LoggerFactory.getLogger(RpcServer.class);

    /** Answers calls; null: no reply (e.g. a call whose caller expects none). */
    interface Handler {
        RpcReply handle(RpcCall call, Connection from);

        /** A TCP connection ended (the client closed it, or the server stopped). */
        default void closed(Connection c) {
        }
    }

    /** One TCP client connection; {@code attachment} is the handler's (VXI-11: the links it made). */
    static final class Connection {
        final Socket socket;
        final String name;
        volatile Object attachment;

        Connection(Socket socket, String name) {
            this.socket = socket;
            this.name = name;
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing is all we wanted
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final String name;
    private final int requestedPort;
    private final int maxRecord;
    private final boolean udp;
    private final Handler handler;
    private final int replyFragment;
    private final Set<Connection> connections = new CopyOnWriteArraySet<>();
    private final Set<Thread> threads = new CopyOnWriteArraySet<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile ServerSocket server;
    private volatile DatagramSocket datagrams;

    RpcServer(String name, int port, int maxRecord, boolean udp, Handler handler) {
        this(name, port, maxRecord, udp, handler, 0);
    }

    /** {@code replyFragment}: the largest record-marking fragment of a reply, 0 for one fragment per reply. */
    RpcServer(String name, int port, int maxRecord, boolean udp, Handler handler, int replyFragment) {
        this.replyFragment = replyFragment == 0 ? RecordMarking.MAX_FRAGMENT : replyFragment;
        this.name = name;
        this.requestedPort = port;
        this.maxRecord = maxRecord;
        this.udp = udp;
        this.handler = handler;
    }

    /** Binds 127.0.0.1 (TCP and, if asked, UDP on the same port) and starts serving. */
    void start() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        try {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 50);
            if (udp) {
                datagrams = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()));
            }
        } catch (IOException e) {
            s.close();
            throw new IOException("VXI-11 mock " + name + " cannot listen on 127.0.0.1:" + requestedPort + ": "
                    + e.getMessage(), e);
        }
        server = s;
        spawn("mock-vxi11 " + name + " accept " + s.getLocalPort(), () -> acceptLoop(s));
        if (udp) {
            DatagramSocket d = datagrams;
            spawn("mock-vxi11 " + name + " udp " + s.getLocalPort(), () -> udpLoop(d));
        }
        log.debug("VXI-11 mock {} listening on 127.0.0.1:{}{}", name, s.getLocalPort(), udp ? " (TCP and UDP)" : "");
    }

    int port() {
        ServerSocket s = server;
        return s == null ? requestedPort : s.getLocalPort();
    }

    private void spawn(String threadName, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        }, threadName);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket socket = s.accept();
                socket.setTcpNoDelay(true);
                Connection c = new Connection(socket, name + "#" + accepted.incrementAndGet());
                connections.add(c);
                if (server != s) {
                    c.close();
                }
                spawn("mock-vxi11 " + c.name, () -> serve(c));
            } catch (IOException e) {
                if (!s.isClosed()) {
                    log.warn("VXI-11 mock {}: accept failed: {}", name, e.toString());
                }
            }
        }
    }

    private void serve(Connection c) {
        RecordMarking records = new RecordMarking(maxRecord);
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = c.socket.getInputStream()) {
            OutputStream out = c.socket.getOutputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                ByteBuffer chunk = ByteBuffer.wrap(buf, 0, n);
                for (byte[] rec; (rec = records.receive(chunk)) != null; ) {
                    RpcCall call = RpcCall.decode(rec);
                    RpcReply reply = handler.handle(call, c);
                    if (reply != null) {
                        out.write(RecordMarking.frame(reply.encode(), replyFragment));
                        out.flush();
                    }
                }
            }
        } catch (RemoteProtocolException e) {
            log.warn("VXI-11 mock {}: dropping the connection: {}", c, e.getMessage());
        } catch (IOException e) {
            log.debug("VXI-11 mock {}: connection ended: {}", c, e.toString());
        } finally {
            c.close();
            connections.remove(c);
            handler.closed(c);
        }
    }

    private void udpLoop(DatagramSocket d) {
        byte[] buf = new byte[65_535];
        while (!d.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                d.receive(p);
                RpcCall call;
                try {
                    call = RpcCall.decode(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                } catch (RemoteProtocolException e) {
                    log.debug("VXI-11 mock {}: ignoring a datagram: {}", name, e.getMessage());
                    continue;
                }
                RpcReply reply = handler.handle(call, null);
                if (reply != null) {
                    byte[] out = reply.encode();
                    d.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                }
            } catch (SocketException e) {
                return;   // closed
            } catch (IOException e) {
                log.debug("VXI-11 mock {}: UDP: {}", name, e.toString());
            }
        }
    }

    /** Drops every TCP connection; keeps listening. */
    void dropConnections() {
        for (Connection c : connections) {
            c.close();
        }
    }

    /** Stops listening, drops the connections, waits for the threads. */
    void stop() {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                log.debug("closing the listener: {}", e.toString());
            }
        }
        DatagramSocket d = datagrams;
        if (d != null) {
            d.close();
        }
        dropConnections();
        for (Thread t : threads) {
            if (t != Thread.currentThread()) {
                try {
                    t.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
