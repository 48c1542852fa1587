package dev.labwire.bench.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The hand-written java.net baseline: one socket with TCP_NODELAY, the command written with one
 * {@code write}, the reply read into a 16 KiB array and cut at {@code \n} by a plain loop, returned as a
 * {@code String} (as labwire's {@code query} returns one). No thread safety, no timeouts, no recovery: the least
 * a program can do. A second variant sets {@code SO_TIMEOUT}, the least a program that must not hang on a silent
 * instrument can do.
 */
final class RawSocketClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] command;
    private final byte[] buf = new byte[16 * 1024];
    private int r;
    private int w;

    RawSocketClient(int port, String command) throws IOException {
        this(port, command, 0);
    }

    /**
     * With {@code soTimeoutMillis} above 0, every read is bounded by {@code SO_TIMEOUT}, as a program talking to an
     * instrument needs (a device may never answer): the JDK then reads without blocking and waits in {@code poll}
     * when no byte is there yet, where an untimed read blocks in {@code read} itself.
     */
    RawSocketClient(int port, String command, int soTimeoutMillis) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(soTimeoutMillis);
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        in = socket.getInputStream();
        out = socket.getOutputStream();
        this.command = (command + "\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One round trip. */
    String query() throws IOException {
        out.write(command);
        return readLine();
    }

    /** {@code depth} commands in one write, then their {@code depth} replies; returns the replies read. */
    int pipelineBatch(byte[] batch, int depth) throws IOException {
        out.write(batch);
        for (int i = 0; i < depth; i++) {
            readLine();
        }
        return depth;
    }

    byte[] batch(int depth) {
        byte[] b = new byte[command.length * depth];
        for (int i = 0; i < depth; i++) {
            System.arraycopy(command, 0, b, i * command.length, command.length);
        }
        return b;
    }

    private String readLine() throws IOException {
        int scan = r;
        while (true) {
            for (int i = scan; i < w; i++) {
                if (buf[i] == '\n') {
                    String line = new String(buf, r, i - r, StandardCharsets.ISO_8859_1);
                    r = i + 1;
                    if (r == w) {
                        r = 0;
                        w = 0;
                    }
                    return line;
                }
            }
            if (r > 0) {
                System.arraycopy(buf, r, buf, 0, w - r);
                w -= r;
                r = 0;
            }
            scan = w;
            int n = in.read(buf, w, buf.length - w);
            if (n < 0) {
                throw new IOException("server closed the connection");
            }
            w += n;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
