package dev.labwire.blocking.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.endpoint.Endpoint;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A TCP socket with the options of {@link ConnectionConfig}. */
final class TcpLink implements Link {
    private static final Logger LOG = LoggerFactory.getLogger(TcpLink.class);
    private static final int IPTOS_LOWDELAY = 0x10;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private int soTimeout; // the socket's SO_TIMEOUT; only the thread holding the read role reads or sets it

    private TcpLink(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static TcpLink open(Endpoint.Tcp tcp, ConnectionConfig config, Consumer<Closeable> connecting) throws IOException {
        Socket s = new Socket();
        connecting.accept(s);
        try {
            s.setTcpNoDelay(config.tcpNoDelay());
            s.setKeepAlive(config.tcpKeepAlive());
            if (config.lowDelayTrafficClass()) {
                try {
                    s.setTrafficClass(IPTOS_LOWDELAY);
                } catch (SocketException e) {
                    LOG.debug("IP_TOS low delay refused for {}: {}", tcp, e.toString());
                }
            }
            s.connect(new InetSocketAddress(tcp.host(), tcp.port()), (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
            return new TcpLink(s);
        } catch (IOException e) {
            closeQuietly(s);
            throw e;
        }
    }

    @Override
    public int read(byte[] buf) throws IOException {
        timeout(0);
        return in.read(buf);
    }

    /**
     * A read bounded by {@code SO_TIMEOUT}: on a java.net socket a {@link SocketTimeoutException} leaves the socket
     * usable, so a caller can read until its own deadline and give the read role back ({@link ReadRole}).
     */
    @Override
    public int read(byte[] buf, int timeoutMillis) throws IOException {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeoutMillis must be at least 1 (0 would wait forever): " + timeoutMillis);
        }
        timeout(timeoutMillis);
        try {
            return in.read(buf);
        } catch (SocketTimeoutException e) {
            return 0;
        }
    }

    private void timeout(int millis) throws SocketException {
        if (soTimeout != millis) {
            socket.setSoTimeout(millis);
            soTimeout = millis;
        }
    }

    @Override
    public boolean callerMayRead() {
        return true;
    }

    @Override
    public void write(ByteBuffer data) throws IOException {
        if (data.hasArray()) {
            out.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
            data.position(data.limit());
        } else {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            out.write(b);
        }
    }

    @Override
    public boolean callerMayWrite() {
        return true;
    }

    @Override
    public java.net.InetAddress remoteAddress() {
        return socket.getInetAddress();
    }

    @Override
    public java.net.InetAddress localAddress() {
        return socket.getLocalAddress();
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            LOG.debug("closing socket: {}", e.toString());
        }
    }
}
