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
     * As {@link #read(byte[])}, into {@code dst} (a heap buffer: a frame's receive window, see
     * {@link dev.labwire.core.LinkMachine#pollReceiveWindow()}) from its position, at most to its limit; its position
     * advances by the count.
     */
    int read(ByteBuffer dst) throws IOException;

    /** As {@link #read(byte[], int)}, into {@code dst} as {@link #read(ByteBuffer)} does. */
    default int read(ByteBuffer dst, int timeoutMillis) throws IOException {
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

    /**
     * Waits at most {@code timeoutMillis} (0: until {@link #wakeWatch()} or {@link #close()}) until input (or end of
     * stream) is there to read, without reading it; true when it is. For the reader thread of a link callers may read
     * ({@link #callerMayRead()}): it watches while nobody holds the read role, so a caller finds the role free.
     */
    default boolean awaitReadable(int timeoutMillis) throws IOException {
        throw new UnsupportedOperationException("watching for input is for links a caller may read: " + this);
    }

    /** Ends a wait in {@link #awaitReadable} at once (it returns false unless input is there). */
    default void wakeWatch() {
    }

    /**
     * Writes some of the remaining bytes of {@code data}: at least one, blocking until the link takes any, and at most
     * what the link takes in a short while (a socket's free buffer space, about 100 ms of a serial line). The caller
     * loops until nothing remains ({@link LinkIo}), noting after each return that the write made progress: that is
     * how the driver tells a slow peer from one that stopped reading.
     */
    void write(ByteBuffer data) throws IOException;

    /**
     * As {@link #write(ByteBuffer)}, but waits at most {@code timeoutMillis} (0: not at all) for the link to take a byte,
     * and returns at once when the calling thread is interrupted: it may then have written nothing. Only links whose
     * {@link #callerMayWrite()} is true support it: a caller writes until its deadline, then leaves the rest to the
     * writer thread.
     */
    default void write(ByteBuffer data, int timeoutMillis) throws IOException {
        throw new UnsupportedOperationException("timed writes are for links a caller may write: " + this);
    }

    /**
     * Whether a caller may write on its own thread ({@link LinkIo#claimLocked()}): true when the link has timed writes
     * ({@link #write(ByteBuffer, int)}) and {@link #close()} from another thread ends a blocked write at once (a TCP
     * socket). A serial close waits up to a second for a write stuck in the OS, which would hold the caller past its
     * deadline, so serial bytes go through the writer.
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
