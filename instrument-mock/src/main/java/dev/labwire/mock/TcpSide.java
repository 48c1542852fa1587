package dev.labwire.mock;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The loopback TCP server of a {@link MockInstrument}: one {@link Session} per accepted connection. */
final class TcpSide implements LinkSide {

    private static final Logger log = LoggerFactory.getLogger(TcpSide.class);
    private static final long REBIND_WAIT_NANOS = 5_000_000_000L;

    private final MockInstrument owner;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger closeOnAccept = new AtomicInteger();
    private int port;
    private ServerSocket server;
    private Thread acceptor;

    TcpSide(MockInstrument owner, int port) {
        this.owner = owner;
        this.port = port;
    }

    @Override
    public synchronized void start() throws IOException {
        if (server != null) {
            return;
        }
        long deadline = System.nanoTime() + REBIND_WAIT_NANOS;
        ServerSocket s;
        while (true) {
            s = new ServerSocket();
            s.setReuseAddress(true);
            try {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
                break;
            } catch (BindException e) {
                s.close();
                if (port == 0 || System.nanoTime() - deadline > 0) {
                    throw new BindException("mock instrument cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
                }
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // a just-closed listener may still hold the port
            }
        }
        server = s;
        port = s.getLocalPort();
        ServerSocket listening = s;
        acceptor = new Thread(() -> acceptLoop(listening), "mock-accept 127.0.0.1:" + port);
        acceptor.setDaemon(true);
        acceptor.start();
        log.debug("mock instrument listening on 127.0.0.1:{}", port);
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket socket = s.accept();
                socket.setTcpNoDelay(true);
                synchronized (this) {
                    if (server != s) { // stopped while this connection was being accepted
                        socket.close();
                        continue;
                    }
                    if (closeOnAccept.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        accepted.incrementAndGet();
                        owner.sessions().countConnection();
                        socket.close();
                        continue;
                    }
                    owner.startSession(new SocketWire(socket), "tcp " + port + "#" + accepted.incrementAndGet());
                }
            } catch (IOException e) {
                if (!s.isClosed()) {
                    log.warn("mock instrument on port {}: accept failed: {}", port, e.toString());
                }
            }
        }
    }

    /** The next {@code n} connections are closed as soon as they are accepted. */
    void closeOnAccept(int n) {
        closeOnAccept.set(n);
    }

    @Override
    public void stop() {
        Thread t;
        synchronized (this) {
            if (server == null) {
                return;
            }
            try {
                server.close();
            } catch (IOException e) {
                log.debug("closing the listener: {}", e.toString());
            }
            server = null;
            t = acceptor;
            acceptor = null;
        }
        owner.sessions().closeSessions();
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void restart() throws IOException {
        synchronized (this) {
            if (server == null) {
                start();
                return;
            }
        }
        // still listening: the port stays bound (no other process can take it meanwhile); only the clients go
        owner.sessions().closeSessions();
    }

    @Override
    public void disconnect() {
        owner.sessions().closeSessions();
    }

    @Override
    public void dropLink(Session session) {
        session.close();
    }

    @Override
    public void halfClose(Session session) throws IOException {
        session.wire().shutdownOutput();
    }

    @Override
    public synchronized String endpoint() {
        return "tcp://127.0.0.1:" + port;
    }

    synchronized int port() {
        return port;
    }

    /** A socket as a session's wire. */
    private static final class SocketWire implements Session.Wire {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        SocketWire(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        @Override
        public int read(byte[] buf) throws IOException {
            return in.read(buf);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            out.flush();
        }

        @Override
        public void shutdownOutput() throws IOException {
            socket.shutdownOutput();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing is all we wanted
            }
        }
    }
}
