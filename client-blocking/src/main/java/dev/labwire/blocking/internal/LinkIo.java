package dev.labwire.blocking.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The two threads of one open link: a reader that feeds received bytes to the driver, and a writer that writes
 * what the driver's drain loop gathered (or the caller that just sent a request writes its batch itself, see
 * {@link #claimLocked()}). Nobody holds the driver's lock during I/O, so a peer that stops reading
 * (a full TCP window, a pty nobody drains) blocks only the writer: callers wait on their own deadlines, the core's
 * timers keep running, and {@link #close()} (closing the link) ends both threads. One batch of bytes is written at
 * a time; the drain loop gathers the next only when the writer is idle, so requests behind a stuck write stay
 * unwritten in the core, where a timeout or a cancel withdraws them cleanly.
 */
final class LinkIo {
    /** What the driver does with the link's input; every call is made with the driver's lock held. */
    interface Sink {
        void receivedLocked(LinkIo io, ByteBuffer data);

        /** The link broke (end of stream, read or write error); the driver drops it. */
        void brokeLocked(LinkIo io, Throwable cause);

        /** Batch {@code seq} is out; the driver completes writes waiting for it and drains again. */
        void wroteLocked(LinkIo io, long seq);
    }

    private final Link link;
    private final String name;
    private final ReentrantLock lock;
    private final Condition writeReady;
    private final Sink sink;
    private final Thread reader;
    private final Thread writer;
    private final TransmitGather gather = new TransmitGather(); // per link: a stuck old writer keeps its own buffer
    private ByteBuffer outgoing;   // guarded by lock; the batch the writer writes now, or null when idle
    private long outgoingSeq;
    private boolean closed;
    private boolean callerWriting; // a caller writes a batch itself (claimLocked .. writeAsCaller)
    private Thread closer;

    LinkIo(Link link, String name, ReentrantLock lock, Sink sink) {
        this.link = link;
        this.name = name;
        this.lock = lock;
        this.writeReady = lock.newCondition();
        this.sink = sink;
        this.reader = Threads.daemon(this::readLoop, "labwire-reader " + name);
        this.writer = Threads.daemon(this::writeLoop, "labwire-writer " + name);
    }

    void start() {
        reader.start();
        writer.start();
    }

    /** Called with the lock held: true when no batch is being written. */
    boolean idleLocked() {
        return outgoing == null && !callerWriting && !closed;
    }

    /**
     * Called with the lock held, when idle: the calling thread will write the batch it just gathered itself, with
     * {@link #writeAsCaller} after releasing the lock. This saves the hand-off to the writer thread on the common
     * path (a caller sending one request on an idle link: one thread wake-up less per round trip). A caller stuck in
     * that write is freed like the writer: at the deadline the driver thread drops the link, which ends the write.
     */
    void claimLocked() {
        callerWriting = true;
    }

    /** Whether the caller may write on its own thread on this link ({@link Link#callerMayWrite()}). */
    boolean callerMayWrite() {
        return link.callerMayWrite();
    }

    /** Writes {@code batch} (numbered {@code seq}) on the calling thread, without the lock, after {@link #claimLocked()}. */
    void writeAsCaller(ByteBuffer batch, long seq) {
        Throwable err = null;
        try {
            link.write(batch);
        } catch (IOException | RuntimeException e) {
            err = e;
        }
        lock.lock();
        try {
            callerWriting = false;
            if (closed) {
                return;
            }
            if (err != null) {
                sink.brokeLocked(this, err);
            } else {
                sink.wroteLocked(this, seq);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Called with the lock held, when idle: everything the driver's machine has to transmit, in one buffer, or null. */
    ByteBuffer gather(BlockingDriver d) {
        return gather.all(d.machine, d.wire, d.trace);
    }

    /** Called with the lock held, only when {@link #idleLocked()}: hands {@code batch} (numbered {@code seq}) to the writer. */
    void writeLocked(ByteBuffer batch, long seq) {
        outgoing = batch;
        outgoingSeq = seq;
        writeReady.signal();
    }

    /**
     * Called with the lock held: closes the link, which ends a blocked read or write; idempotent. The close itself
     * runs on a short-lived thread, returned for the client's close() to wait for: closing a serial port waits for a
     * write stuck in the OS (up to about a second), which must not happen under the driver's lock.
     */
    Thread closeLocked() {
        if (!closed) {
            closed = true;
            writeReady.signal();
            closer = Threads.daemon(link::close, "labwire-close " + name);
            closer.start();
        }
        return closer;
    }

    Thread reader() {
        return reader;
    }

    Thread writer() {
        return writer;
    }

    private void readLoop() {
        byte[] buf = new byte[16 * 1024];
        Throwable cause;
        try {
            while (true) {
                int n = link.read(buf);
                if (n < 0) {
                    cause = new EOFException("end of stream: " + name + " closed the connection");
                    break;
                }
                lock.lock();
                try {
                    if (closed) {
                        return;
                    }
                    if (n > 0) {
                        sink.receivedLocked(this, ByteBuffer.wrap(buf, 0, n));
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException | RuntimeException e) {
            cause = e;
        }
        broke(cause);
    }

    private void writeLoop() {
        lock.lock();
        try {
            while (true) {
                while (outgoing == null && !closed) {
                    writeReady.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                ByteBuffer out = outgoing;
                long seq = outgoingSeq;
                Throwable err = null;
                lock.unlock();
                try {
                    link.write(out);
                } catch (IOException | RuntimeException e) {
                    err = e;
                } finally {
                    lock.lock();
                }
                outgoing = null;
                if (closed) {
                    return;
                }
                if (err != null) {
                    sink.brokeLocked(this, err);
                    return;
                }
                sink.wroteLocked(this, seq);
            }
        } finally {
            lock.unlock();
        }
    }

    private void broke(Throwable cause) {
        lock.lock();
        try {
            if (!closed) {
                sink.brokeLocked(this, cause);
            }
        } finally {
            lock.unlock();
        }
    }
}
