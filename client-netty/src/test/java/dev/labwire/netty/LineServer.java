package dev.labwire.netty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A loopback TCP server for tests that the instrument mock does not cover: thousands of connections,
 * tens of thousands of held-back replies, and a pusher that writes as fast as the socket takes bytes and
 * says when the socket stopped taking them. One selector thread serves every connection; the handler
 * runs on it, one line at a time ({@code \n}-terminated, a trailing {@code \r} removed, ISO-8859-1).
 */
final class LineServer implements AutoCloseable {
    /** What the server does with each received line (on the server thread). */
    @FunctionalInterface
    interface Handler {
        void onLine(Peer peer, String line);
    }

    /**
     * Bytes a pusher may write in one go before other connections get a turn. Large, because a pusher
     * writes until the socket refuses bytes (that is how it sees the client stop reading): the selector
     * would not even report a socket writable again until a third of its buffer is free.
     */
    private static final int PUSH_TURN_BYTES = 64 << 20;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Handler handler;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<Peer> peers = new CopyOnWriteArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    private LineServer(Handler handler) throws IOException {
        this.handler = handler;
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.thread = new Thread(this::run, "line-server");
        thread.setDaemon(true);
        thread.start();
    }

    static LineServer start(Handler handler) {
        try {
            return new LineServer(handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String endpoint() {
        return "tcp://127.0.0.1:" + port();
    }

    int port() {
        return server.socket().getLocalPort();
    }

    /** Connections accepted so far, in order. */
    List<Peer> peers() {
        return peers;
    }

    /** Exceptions the server thread met (a test checks this is empty). */
    List<Throwable> errors() {
        return errors;
    }

    private void run() {
        try {
            while (running) {
                selector.select(100);
                for (Runnable r; (r = tasks.poll()) != null; ) {
                    r.run();
                }
                for (SelectionKey k : selector.selectedKeys()) {
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.isAcceptable()) {
                        accept();
                        continue;
                    }
                    Peer p = (Peer) k.attachment();
                    try {
                        if (k.isReadable()) {
                            p.read();
                        }
                        if (k.isValid() && k.isWritable()) {
                            p.flush();
                        }
                    } catch (IOException e) {
                        p.closeNow();
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            errors.add(e);
        }
    }

    private void accept() throws IOException {
        for (SocketChannel ch; (ch = server.accept()) != null; ) {
            ch.configureBlocking(false);
            Peer p = new Peer(ch);
            p.key = ch.register(selector, SelectionKey.OP_READ, p);
            peers.add(p);
        }
    }

    private void onServerThread(Runnable r) {
        if (Thread.currentThread() == thread) {
            r.run();
        } else {
            tasks.add(r);
            selector.wakeup();
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5_000);
            for (Peer p : peers) {
                p.closeNow();
            }
            server.close();
            selector.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One accepted connection. Counters are readable from any thread. */
    final class Peer {
        /** Free for the handler (server thread only): e.g. who the client said it is. */
        String name;
        private final SocketChannel ch;
        private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        private SelectionKey key;
        private Supplier<String> pusher;
        private byte[] partial = new byte[0];
        private volatile long linesRead;
        private volatile long bytesWritten;
        private volatile boolean writeBlocked;
        private volatile long timesBlocked;

        private Peer(SocketChannel ch) {
            this.ch = ch;
        }

        /** Sends {@code text} as is (add the terminator yourself); any thread. */
        void send(String text) {
            byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
            onServerThread(() -> {
                out.addLast(ByteBuffer.wrap(b));
                flushQuietly();
            });
        }

        /** Writes {@code next.get()} frames back to back for as long as the socket takes them; any thread. */
        void pushForever(Supplier<String> next) {
            onServerThread(() -> {
                pusher = next;
                flushQuietly();
            });
        }

        /** Drops the connection; any thread. */
        void close() {
            onServerThread(this::closeNow);
        }

        long linesRead() {
            return linesRead;
        }

        long bytesWritten() {
            return bytesWritten;
        }

        /** True while bytes wait because the socket's send buffer is full (the client is not reading). */
        boolean writeBlocked() {
            return writeBlocked;
        }

        /** How often a write found the send buffer full. */
        long timesBlocked() {
            return timesBlocked;
        }

        private void read() throws IOException {
            int n = ch.read(in);
            if (n < 0) {
                closeNow();
                return;
            }
            in.flip();
            int start = 0;
            for (int i = 0; i < in.limit(); i++) {
                if (in.get(i) == '\n') {
                    line(start, i);
                    start = i + 1;
                }
            }
            byte[] rest = new byte[in.limit() - start];
            in.position(start);
            in.get(rest);
            in.clear();
            partial = concat(partial, rest);
        }

        private void line(int start, int end) {
            byte[] b = new byte[end - start];
            in.get(start, b);
            byte[] whole = concat(partial, b);
            partial = new byte[0];
            int len = whole.length > 0 && whole[whole.length - 1] == '\r' ? whole.length - 1 : whole.length;
            linesRead++;
            handler.onLine(this, new String(whole, 0, len, StandardCharsets.ISO_8859_1));
        }

        private void flushQuietly() {
            try {
                flush();
            } catch (IOException e) {
                closeNow();
            }
        }

        private void flush() throws IOException {
            if (!ch.isOpen()) {
                return;
            }
            long turn = 0;
            while (turn < PUSH_TURN_BYTES && running) {
                if (out.isEmpty()) {
                    if (pusher == null) {
                        break;
                    }
                    StringBuilder batch = new StringBuilder();
                    while (batch.length() < 16 * 1024) {
                        batch.append(pusher.get());
                    }
                    out.add(ByteBuffer.wrap(batch.toString().getBytes(StandardCharsets.ISO_8859_1)));
                }
                ByteBuffer head = out.peekFirst();
                int n = ch.write(head);
                bytesWritten += n;
                turn += n;
                if (head.hasRemaining()) {
                    if (!writeBlocked) {
                        timesBlocked++;
                    }
                    writeBlocked = true;
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    return;
                }
                out.pollFirst();
            }
            writeBlocked = false;
            // more to push after this turn: come back when writable; else only reads matter
            key.interestOps(SelectionKey.OP_READ | (pusher != null || !out.isEmpty() ? SelectionKey.OP_WRITE : 0));
        }

        private void closeNow() {
            try {
                ch.close();
            } catch (IOException e) {
                errors.add(e);
            }
        }

        private static byte[] concat(byte[] a, byte[] b) {
            if (a.length == 0) {
                return b;
            }
            byte[] r = new byte[a.length + b.length];
            System.arraycopy(a, 0, r, 0, a.length);
            System.arraycopy(b, 0, r, a.length, b.length);
            return r;
        }
    }
}
