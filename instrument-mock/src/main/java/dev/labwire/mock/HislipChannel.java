package dev.labwire.mock;

import dev.labwire.core.hislip.Decoded;
import dev.labwire.core.hislip.HislipDecoder;
import dev.labwire.core.hislip.HislipMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection of a {@link MockHislip} server: a reader thread that decodes HiSLIP messages with the core's
 * {@link HislipDecoder} and hands them on, and a locked writer. A decoding failure is answered as IVI-6.1 says
 * (the decoder's Error or FatalError); after a FatalError the connection is closed.
 */
final class HislipChannel {

    private static final Logger log = LoggerFactory.getLogger(HislipChannel.class);

    private final Socket socket;
    private final OutputStream out;
    private final String name;
    private final HislipDecoder decoder;
    private final Thread reader;
    private volatile Consumer<HislipMessage> handler;
    private volatile Runnable onClose = () -> { };
    private volatile boolean closed;

    HislipChannel(Socket socket, String name, long maxMessageSize, Consumer<HislipMessage> firstHandler)
            throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.name = name;
        this.decoder = new HislipDecoder(name, maxMessageSize);
        this.handler = firstHandler;
        this.reader = new Thread(this::readLoop, "mock-hislip " + name);
        reader.setDaemon(true);
    }

    void start() {
        reader.start();
    }

    /** Where later messages go (the first message decides whether this is a sync or an async channel). */
    void handler(Consumer<HislipMessage> h) {
        this.handler = h;
    }

    void onClose(Runnable r) {
        this.onClose = r;
    }

    String name() {
        return name;
    }

    private void readLoop() {
        byte[] buf = new byte[8192];
        try (InputStream in = socket.getInputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                decoder.receive(ByteBuffer.wrap(buf, 0, n));
                if (!drain()) {
                    return;
                }
            }
            decoder.receiveEof();
            drain();
        } catch (IOException e) {
            if (!closed) {
                log.debug("{}: read ended: {}", name, e.toString());
            }
        } finally {
            close();
        }
    }

    /** Hands out every decoded message; false when the channel is done. */
    private boolean drain() {
        for (Decoded d = decoder.next(); d != Decoded.NeedData.INSTANCE; d = decoder.next()) {
            if (d instanceof Decoded.Message m) {
                handler.accept(m.message());
            } else if (d instanceof Decoded.Failure f) {
                log.debug("{}: {}", name, f.exception().getMessage());
                send(f.answer());
                if (f.fatal()) {
                    return false;
                }
            }
            if (closed) {
                return false;
            }
        }
        return true;
    }

    /** Writes one message; false when the connection is gone. */
    boolean send(HislipMessage m) {
        return sendAll(m);
    }

    /** Writes messages back to back, nothing of another writer between them; false when the connection is gone. */
    boolean sendAll(HislipMessage... ms) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (HislipMessage m : ms) {
            all.writeBytes(m.encode());
        }
        return sendBytes(all.toByteArray());
    }

    /** Writes raw bytes at once (messages, or a fault: a message as no encoder would make it); false when the connection is gone. */
    boolean sendBytes(byte[] bytes) {
        if (closed) {
            return false;
        }
        synchronized (out) {
            try {
                out.write(bytes);
                out.flush();
                return true;
            } catch (IOException e) {
                log.debug("{}: write failed: {}", name, e.toString());
                close();
                return false;
            }
        }
    }

    /** Sends FatalError and closes (IVI-6.1 6.2). */
    void fatal(HislipMessage fatalError) {
        send(fatalError);
        close();
    }

    boolean isClosed() {
        return closed;
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("{}: close: {}", name, e.toString());
        }
        onClose.run();
    }

    void join(long millis) throws InterruptedException {
        if (Thread.currentThread() != reader) {
            reader.join(millis);
        }
    }
}
