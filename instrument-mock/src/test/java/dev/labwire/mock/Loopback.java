package dev.labwire.mock;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Test helpers for plain loopback sockets: connect, send a line, read a line, wait for a condition. */
final class Loopback {

    private final List<AutoCloseable> open = new ArrayList<>();

    <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    /** A socket to 127.0.0.1:{@code port} with a 5 s read timeout. */
    Socket connect(int port) throws IOException {
        Socket s = track(new Socket("127.0.0.1", port));
        s.setSoTimeout(5000);
        return s;
    }

    static void send(Socket s, String command) throws IOException {
        s.getOutputStream().write((command + "\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Reads through the next \n (included); what came before the end of the stream otherwise. */
    static String readLine(Socket s) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        for (int c; (c = in.read()) != -1; ) {
            b.write(c);
            if (c == '\n') {
                break;
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    static String ms(long nanos) {
        return nanos / 1_000_000 + " ms";
    }

    /** Polls {@code condition} every millisecond until it holds; fails after {@code within}. */
    static void await(Duration within, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + within.toMillis() + " ms: " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
    }

    /** Closes everything tracked, newest first. */
    void close() throws Exception {
        Exception first = null;
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
