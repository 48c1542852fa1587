package dev.labwire.mock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback port where a TCP connect hangs, as to a black-holed address (a firewall that drops packets, an
 * instrument switched off behind a router), from {@link FaultProxy#blackHole()}:
 * <pre>{@code
 * try (BlackHole hole = FaultProxy.blackHole()) {
 *     BlockingClient.open(hole.endpoint(), config);   // must fail after config's connect timeout, not hang
 * }
 * }</pre>
 *
 * How: a listener with a backlog of 1 that never accepts, its accept queue filled by connections the black hole
 * makes to itself. Linux (and the BSDs) then drop every further SYN instead of answering it, so a connect gets
 * neither an accept nor a refusal: it waits for the client's connect timeout, or with none for the OS's SYN
 * retries (about 2 minutes on Linux). The filling is checked when the hole opens: a connect with a 200 ms timeout
 * must time out. {@link #close()} closes the listener and its own connections; the port then refuses connects.
 */
public final class BlackHole implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BlackHole.class);
    private static final int MAX_FILLERS = 16;
    private static final int PROBE_TIMEOUT_MILLIS = 200;

    private final ServerSocket listener;
    private final List<Socket> fillers;

    private BlackHole(ServerSocket listener, List<Socket> fillers) {
        this.listener = listener;
        this.fillers = fillers;
    }

    static BlackHole open() {
        ServerSocket listener = null;
        List<Socket> fillers = new ArrayList<>();
        try {
            listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            // connect until one hangs: then the accept queue is full (Linux keeps backlog + 1, others differ)
            while (fillers.size() < MAX_FILLERS) {
                Socket s = new Socket();
                try {
                    s.connect(at, PROBE_TIMEOUT_MILLIS);
                } catch (SocketTimeoutException full) {
                    FaultProxy.closeQuietly(s);
                    log.debug("black hole on port {} after {} connections of its own", at.getPort(), fillers.size());
                    return new BlackHole(listener, fillers);
                }
                fillers.add(s);
            }
            throw new IllegalStateException("no black hole on this OS: " + MAX_FILLERS
                    + " connects to a listener with backlog 1 that never accepts all completed");
        } catch (IOException e) {
            closeAll(listener, fillers);
            throw new UncheckedIOException("black hole cannot listen: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeAll(listener, fillers);
            throw e;
        }
    }

    /** The loopback port where connects hang. */
    public int port() {
        return listener.getLocalPort();
    }

    /** The endpoint a client opens: {@code tcp://127.0.0.1:<port>}. */
    public String endpoint() {
        return "tcp://127.0.0.1:" + port();
    }

    /** Closes the listener and its own connections; idempotent. */
    @Override
    public void close() {
        closeAll(listener, fillers);
    }

    private static void closeAll(ServerSocket listener, List<Socket> fillers) {
        for (Socket s : fillers) {
            FaultProxy.closeQuietly(s);
        }
        if (listener != null) {
            FaultProxy.closeQuietly(listener);
        }
    }

    @Override
    public String toString() {
        return "BlackHole[" + endpoint() + "]";
    }
}
