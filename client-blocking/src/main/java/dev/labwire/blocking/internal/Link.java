package dev.labwire.blocking.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.endpoint.Endpoint;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/** One open byte link (a TCP socket or a serial port) as the blocking driver sees it. */
public interface Link extends Closeable {

    /**
     * Reads into {@code buf}; returns the count, 0 when nothing arrived for a short while (serial), or
     * -1 at end of stream. Blocks; {@link #close()} from another thread makes it return or throw.
     */
    int read(byte[] buf) throws IOException;

    /**
     * Reads into {@code buf}, waiting at most {@code timeoutMillis} (at least 1) for the first byte; returns the count,
     * 0 when nothing arrived in that time, or -1 at end of stream. The link stays usable after a read that timed out.
     * Only links whose {@link #callerMayRead()} is true support it.
     */
    default int read(byte[] buf, int timeoutMillis) throws IOException {
        throw new UnsupportedOperationException("timed reads are for links a caller may read: " + this);
    }

    /**
     * Whether a caller waiting for its reply may read the link on its own thread ({@link ReadRole}): true when a
     * read can be bounded by the caller's deadline ({@link #read(byte[], int)}) and {@link #close()} from another
     * thread ends it at once (a TCP socket). A serial link keeps its reader thread.
     */
    default boolean callerMayRead() {
        return false;
    }

    /** Writes all remaining bytes of {@code data}. */
    void write(ByteBuffer data) throws IOException;

    /**
     * Whether a caller may write on its own thread ({@link LinkIo#claimLocked()}): true when {@link #close()} from
     * another thread ends a blocked {@link #write} at once (a TCP socket). A serial close waits up to a second for a
     * write stuck in the OS, which would hold the caller past its deadline, so serial bytes go through the writer.
     */
    default boolean callerMayWrite() {
        return false;
    }

    /** The peer's address of a TCP link, else null. */
    default java.net.InetAddress remoteAddress() {
        return null;
    }

    /** This end's address of a TCP link, else null. */
    default java.net.InetAddress localAddress() {
        return null;
    }

    /** Closes; never throws; idempotent. */
    @Override
    void close();

    /**
     * Opens a link to {@code endpoint} with the driver settings of {@code config}. A TCP socket is handed to
     * {@code connecting} before its connect starts, so that another thread can abort a hanging connect by closing it.
     */
    static Link open(Endpoint endpoint, ConnectionConfig config, Consumer<Closeable> connecting) throws IOException {
        if (endpoint instanceof Endpoint.Tcp tcp) {
            return TcpLink.open(tcp, config, connecting);
        }
        return SerialSupport.open((Endpoint.Serial) endpoint);
    }
}
