package dev.labwire.blocking.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.endpoint.Endpoint;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP socket with the options of {@link ConnectionConfig}: a {@link SocketChannel} in non-blocking mode, with one
 * {@link Selector} for reads, one in which the reader thread waits for input while it does not hold the read role
 * ({@link #awaitReadable}), and one for writes, opened the first time the socket's buffer is full (a channel may be
 * registered with several; at most one thread reads and one writes at a time, see {@link LinkIo}). File descriptors:
 * 5 per link (the socket, and an epoll and a wake-up descriptor per selector), 7 once a write had to wait.
 *
 * <p>Why not a {@code java.net.Socket}: a caller that reads its own reply must be bounded by its deadline, and a
 * java.net read with {@code SO_TIMEOUT} costs a failed {@code recv}, a {@code poll} and a {@code recv} per reply;
 * here a read waits in {@code epoll_wait} then reads (two system calls, docs/BENCHMARKS.md). A non-blocking channel
 * is not closed when a thread using it is interrupted (an interrupted thread's {@code select} just returns), and a
 * caller's write can stop at its deadline and leave the rest to the writer thread. {@link #close()} closes the
 * channel and both selectors, which ends a read or write waiting in one at once.
 */
final class TcpLink implements Link {
    private static final Logger LOG = LoggerFactory.getLogger(TcpLink.class);
    private static final int IPTOS_LOWDELAY = 0x10;

    private final SocketChannel ch;
    private final Selector readSelector;
    private final java.util.concurrent.atomic.AtomicReference<Selector> writeSelector = new java.util.concurrent.atomic.AtomicReference<>();
    private volatile boolean closed;
    private final Selector watchSelector; // the reader thread's: waits for input without holding the read role
    private ByteBuffer readView; // wraps the last read buffer; only the holder of the read role uses it
    private byte[] readViewOf;

    private TcpLink(SocketChannel ch) throws IOException {
        this.ch = ch;
        ch.configureBlocking(false);
        Selector r = null;
        Selector x = null;
        try {
            r = Selector.open();
            x = Selector.open();
            ch.register(r, SelectionKey.OP_READ);
            ch.register(x, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            closeQuietly(r);
            closeQuietly(x);
            throw e;
        }
        this.readSelector = r;
        this.watchSelector = x;
    }

    static TcpLink open(Endpoint.Tcp tcp, ConnectionConfig config, Consumer<Closeable> connecting) throws IOException {
        SocketChannel s = SocketChannel.open();
        connecting.accept(s);
        try {
            s.setOption(StandardSocketOptions.TCP_NODELAY, config.tcpNoDelay());
            s.setOption(StandardSocketOptions.SO_KEEPALIVE, config.tcpKeepAlive());
            if (config.lowDelayTrafficClass()) {
                try {
                    s.setOption(StandardSocketOptions.IP_TOS, IPTOS_LOWDELAY);
                } catch (IOException | UnsupportedOperationException e) {
                    LOG.debug("IP_TOS low delay refused for {}: {}", tcp, e.toString());
                }
            }
            InetSocketAddress to = new InetSocketAddress(tcp.host(), tcp.port());   // resolves (on the connect thread)
            if (to.isUnresolved()) {   // the adaptor's own UnknownHostException has no message at all
                throw new java.net.UnknownHostException(
                        dev.labwire.core.internal.UnknownHosts.message(tcp.host(), tcp.port(), tcp.toString()));
            }
            // the adaptor's connect takes a timeout (a channel's own connect does not); close() aborts it
            s.socket().connect(to,
                    (int) Math.min(Integer.MAX_VALUE, dev.labwire.core.internal.Durations.millis(config.connectTimeout())));
            return new TcpLink(s);
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
    }

    private ByteBuffer view(byte[] buf) {
        if (readViewOf != buf) {
            readView = ByteBuffer.wrap(buf);
            readViewOf = buf;
        }
        return readView.clear();
    }

    @Override
    public int read(byte[] buf) throws IOException {
        return read(view(buf));
    }

    @Override
    public int read(ByteBuffer b) throws IOException {
        while (true) {
            int n = ch.read(b);
            if (n != 0) {
                return n;
            }
            selectKeepingInterrupt(readSelector);
        }
    }

    /**
     * Waits in {@code select} first, then reads: a caller reads right after writing its request, when its reply is
     * almost never there yet (a read first would fail, then select, then read: three calls).
     */
    @Override
    public int read(byte[] buf, int timeoutMillis) throws IOException {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeoutMillis must be at least 1 (0 would wait forever): " + timeoutMillis);
        }
        return read(view(buf), timeoutMillis);
    }

    @Override
    public int read(ByteBuffer dst, int timeoutMillis) throws IOException {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeoutMillis must be at least 1 (0 would wait forever): " + timeoutMillis);
        }
        select(readSelector, timeoutMillis);
        return ch.read(dst); // 0 when the wait ended without data (a timeout, an interrupt)
    }

    private void select(Selector s, long timeoutMillis) throws IOException {
        try {
            if (s.select(timeoutMillis) > 0) {
                s.selectedKeys().clear();
            }
        } catch (ClosedSelectorException e) {
            throw new java.nio.channels.ClosedChannelException();
        }
        if (!ch.isOpen()) {
            throw new java.nio.channels.ClosedChannelException();
        }
    }

    @Override
    public boolean callerMayRead() {
        return true;
    }

    @Override
    public boolean awaitReadable(int timeoutMillis) throws IOException {
        int n;
        try {
            n = watchSelector.select(timeoutMillis);
            watchSelector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            throw new java.nio.channels.ClosedChannelException();
        }
        if (!ch.isOpen()) {
            throw new java.nio.channels.ClosedChannelException();
        }
        return n > 0;
    }

    @Override
    public void wakeWatch() {
        watchSelector.wakeup();
    }

    /** Writes what the socket's buffer takes now, waiting (without bound) until it takes something. */
    @Override
    public void write(ByteBuffer data) throws IOException {
        while (data.hasRemaining() && ch.write(data) == 0) {
            selectKeepingInterrupt(writeSelector());
        }
    }

    /**
     * Waits in {@code s} without a time bound, as an untimed java.net read or write would: an interrupted thread's
     * {@code select} returns at once, so a loop around it would spin; the interrupt is cleared for the wait and set
     * again after it. {@link #close()} ends the wait.
     */
    private void selectKeepingInterrupt(Selector s) throws IOException {
        if (Thread.interrupted()) {
            try {
                select(s, 0);
            } finally {
                Thread.currentThread().interrupt();
            }
        } else {
            select(s, 0);
        }
    }

    @Override
    public void write(ByteBuffer data, int timeoutMillis) throws IOException {
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("timeoutMillis must be at least 0 (0: no wait): " + timeoutMillis);
        }
        if (data.hasRemaining() && ch.write(data) == 0 && timeoutMillis > 0) {
            select(writeSelector(), timeoutMillis); // returns at once when interrupted
            ch.write(data);
        }
    }

    /**
     * The write selector, opened when a write first finds the socket's buffer full (most links never need it: each
     * selector holds two file descriptors, an epoll and a wake-up one).
     */
    private Selector writeSelector() throws IOException {
        Selector s = writeSelector.get();
        if (s != null) {
            return s;
        }
        Selector created = Selector.open();
        try {
            ch.register(created, SelectionKey.OP_WRITE);
        } catch (IOException | RuntimeException e) {
            closeQuietly(created);
            throw e;
        }
        if (!writeSelector.compareAndSet(null, created)) {
            closeQuietly(created);
            return writeSelector.get();
        }
        if (closed) { // close() may have looked before it was set: it is closed here then
            closeQuietly(created);
            throw new java.nio.channels.ClosedChannelException();
        }
        return created;
    }

    @Override
    public boolean callerMayWrite() {
        return true;
    }

    @Override
    public java.net.InetAddress remoteAddress() {
        return ch.socket().getInetAddress();
    }

    @Override
    public java.net.InetAddress localAddress() {
        return ch.socket().getLocalAddress();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(ch);
        closeQuietly(readSelector); // wakes a thread waiting in it; its next step sees the closed channel
        closeQuietly(writeSelector.get());
        closeQuietly(watchSelector);
    }

    private static void closeQuietly(Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException e) {
            LOG.debug("closing {}: {}", c, e.toString());
        }
    }
}
