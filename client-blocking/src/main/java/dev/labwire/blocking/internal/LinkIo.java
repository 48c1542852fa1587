package dev.labwire.blocking.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two threads of one open link: a reader that feeds received bytes to the driver, and a writer that writes
 * what the driver's drain loop gathered (or the caller that just sent a request writes its batch itself, see
 * {@link #claimLocked()}). Nobody holds the driver's lock during I/O, so a peer that stops reading
 * (a full TCP window, a pty nobody drains) blocks only the writer: callers wait on their own deadlines, the core's
 * timers keep running, and {@link #close()} (closing the link) ends both threads. One batch of bytes is written at
 * a time; the drain loop gathers the next only when the writer is idle, so requests behind a stuck write stay
 * unwritten in the core, where a timeout or a cancel withdraws them cleanly.
 *
 * <p><b>Who reads.</b> On a serial link, always the reader thread. On a TCP link ({@link Link#callerMayRead()}) one
 * thread at a time holds the <em>read role</em>: a caller waiting for its reply, or the reader thread; see
 * {@link ReadRole} for when each takes it. Whoever holds it hands what it read to the driver the same way
 * ({@link #deliverLocked}), under the lock, so the driver cannot tell who read. The reader thread takes the role when
 * input comes after it was free for {@link ReadRole#IDLE_NANOS} (nobody calls: pushed frames and end of stream are
 * still seen; it watches the link without holding the role, {@link #awaitReaderTurn}), or at once when a caller that
 * may not read (a virtual thread) waits for a reply.
 *
 * <p><b>Where reads go.</b> Into the read buffer, whose bytes the machine copies into its frames; but while a large
 * definite block (or length-field frame) arrives, into the frame's own array: after each delivery the role holder asks
 * the machine for its receive window ({@link dev.labwire.core.LinkMachine#pollReceiveWindow()}, at most
 * {@link #WINDOW_MOST} bytes of it) and the next read, by whichever thread holds the role then, goes there
 * ({@link dev.labwire.core.LinkMachine#receiveInWindow}). The window ends at the frame's end, so the trailer and the
 * next reply come through the read buffer as before; the wire trace sees the bytes either way. TCP and serial alike.
 *
 * <p><b>Who writes.</b> A caller that just sent a request on an idle TCP link writes the batch itself, until its
 * deadline, then what other callers sent meanwhile (flat combining, {@link #COMBINE_ROUNDS}); otherwise, and for
 * what is left at a caller's deadline, the writer thread. Each write notes its progress ({@link #progressAtLocked}),
 * from which the driver tells a slow peer from one that stopped reading.
 */
final class LinkIo {
    /** What the driver does with the link's input; every call is made with the driver's lock held. */
    interface Sink {
        void receivedLocked(LinkIo io, ByteBuffer data);

        /**
         * {@code n} bytes were read into {@code window} (the one {@link #windowLocked} gave), just before its position.
         */
        void receivedInWindowLocked(LinkIo io, ByteBuffer window, int n);

        /** Where the next read may go instead of the read buffer: the machine's receive window, or null. */
        ByteBuffer windowLocked(LinkIo io);

        /** The link broke (end of stream, read or write error); the driver drops it. */
        void brokeLocked(LinkIo io, Throwable cause);

        /** Batch {@code seq} is out; the driver completes writes waiting for it and drains again. */
        void wroteLocked(LinkIo io, long seq);

        /**
         * As {@link #wroteLocked}, for a caller that wrote batch {@code seq} itself: what other callers sent meanwhile is
         * gathered and returned for that caller to write too (flat combining), null when nothing waits.
         */
        Pump.Claim wroteByCallerLocked(LinkIo io, long seq);
    }

    private static final Logger LOG = LoggerFactory.getLogger(LinkIo.class);
    /**
     * How many batches a caller writes at most, its own first: requests other callers send while it writes stay in
     * the core (one batch at a time is written), and when its batch is out it gathers and writes them too, in one
     * write (flat combining: no hand-off to the writer thread, one system call for many requests). Bounded so that a
     * caller returns to its own reply; the writer thread takes what is left then.
     */
    static final int COMBINE_ROUNDS = 8;

    private final Link link;
    private final String name;
    private final ReentrantLock lock;
    private final Condition writeReady;
    private final Condition readerTurn; // the reader thread waits here for the read role (TCP)
    private final Sink sink;
    private final ReadRole role;
    private final boolean shared;      // callers may read this link (TCP)
    /** The read buffer's first size, and the most it grows to while reads fill it (bulk data: a waveform). */
    static final int READ_FIRST = 16 * 1024;
    static final int READ_MOST = 256 * 1024;
    // used only by the holder of the read role; replaced under the lock by a bigger one when a read filled it
    private byte[] readBuf = new byte[READ_FIRST];
    /**
     * The most bytes read into a receive window at once: as much as the read buffer at its largest (a socket read into
     * a heap buffer goes through a temporary direct buffer of the read's size, which the JDK keeps per thread).
     */
    static final int WINDOW_MOST = READ_MOST;
    // the receive window for the role holder's next read (a large block's array: no copy), or null: the read buffer.
    // Set under the lock by the delivering role holder; read by the next holder, which took the lock since
    private ByteBuffer window;
    private ByteBuffer readInto; // the window the role holder's current read goes into, or null (the read buffer)
    private final Thread reader;
    private final Thread writer;
    private final TransmitGather gather = new TransmitGather(); // per link: a stuck old writer keeps its own buffer
    private ByteBuffer outgoing;   // guarded by lock; the batch the writer writes now, or null when idle
    private long outgoingSeq;
    private boolean closed;
    private boolean callerWriting; // a caller writes a batch itself (claimLocked .. writeAsCaller)
    private Thread closer;
    private Object reading;        // the read role: null when free, the reader thread, or the Calls.Call whose caller reads
    private Pump.Claim claimOfDelivery; // see takeClaimLocked
    private boolean watching;      // the reader thread waits in link.awaitReadable (without the role)
    private boolean watchInVain;   // the reader thread's last watch woke for input a caller read (see awaitReaderTurn)
    private volatile long progressAt; // when the batch being written started or last had bytes taken by the link
    private long freedAt;          // when the role was last given back

    LinkIo(Link link, String name, ReentrantLock lock, Sink sink, ReadRole role) {
        this.link = link;
        this.name = name;
        this.lock = lock;
        this.writeReady = lock.newCondition();
        this.readerTurn = lock.newCondition();
        this.sink = sink;
        this.role = role;
        this.shared = link.callerMayRead();
        this.freedAt = System.nanoTime() - ReadRole.IDLE_NANOS; // nobody called yet: the reader reads at once
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
     * path (a caller sending one request on an idle link: one thread wake-up less per round trip). A caller whose
     * write is not done by its deadline leaves the rest to the writer thread and returns.
     */
    void claimLocked() {
        callerWriting = true;
        progressAt = System.nanoTime();
    }

    /** With the lock held: undoes {@link #claimLocked()} when the caller wrote nothing (see {@link Pump#uncorkLocked}). */
    void unclaimLocked() {
        callerWriting = false;
    }

    /** Whether the caller may write on its own thread on this link ({@link Link#callerMayWrite()}). */
    boolean callerMayWrite() {
        return link.callerMayWrite();
    }

    /**
     * Writes {@code batch} (numbered {@code seq}) on the calling thread, without the lock, after {@link #claimLocked()},
     * until {@code deadlineNanos} (the caller's own deadline): what is left then, or when the caller is interrupted,
     * goes to the writer thread, so a caller never waits in a write past its deadline whatever the peer does, and
     * every byte of the batch (other callers' requests may be in it) still goes out in order.
     */
    void writeAsCaller(ByteBuffer batch, long seq, long deadlineNanos) {
        for (int round = 1; ; round++) {
            Throwable err = null;
            try {
                for (boolean first = true; batch.hasRemaining(); first = false) {
                    long left = deadlineNanos - System.nanoTime();
                    if (!first && (left <= 0 || Thread.currentThread().isInterrupted())) {
                        break; // the first attempt is always made: what the socket takes at once goes out
                    }
                    int before = batch.remaining();
                    link.write(batch, left <= 0 ? 0 : (int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000)));
                    if (batch.remaining() != before && batch.hasRemaining()) {
                        progressAt = System.nanoTime();
                    }
                }
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
                    return;
                }
                if (batch.hasRemaining()) {
                    outgoing = batch; // the writer thread finishes it; progressAt runs on
                    outgoingSeq = seq;
                    writeReady.signal();
                    return;
                }
                if (round >= COMBINE_ROUNDS || deadlineNanos - System.nanoTime() <= 0) {
                    sink.wroteLocked(this, seq); // anything sent meanwhile goes to the writer thread
                    return;
                }
                Pump.Claim next = sink.wroteByCallerLocked(this, seq);
                if (next == null) {
                    return;
                }
                batch = next.batch();
                seq = next.seq();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Whether callers may take the read role of this link ({@link Link#callerMayRead()}). */
    boolean callerMayRead() {
        return shared;
    }

    /** With the lock held: {@code who} holds the read role, taking it if it was free; false when another has it. */
    boolean takeLocked(Object who) {
        if (closed || !shared) {
            return false;
        }
        if (reading == null) {
            reading = who;
        }
        return reading == who;
    }

    /** With the lock held: whether the read role is free (nobody reads) on this open link. */
    boolean freeLocked() {
        return shared && !closed && reading == null;
    }

    /** With the lock held, when {@link #freeLocked()}: hands the role to the caller of {@code c} (who must be woken). */
    void grantLocked(Calls.Call c) {
        reading = c;
    }

    /** With the lock held, when {@link #freeLocked()}: hands the role to the reader thread at once. */
    void grantReaderLocked() {
        reading = reader;
        readerTurn.signal();
        if (watching) {
            link.wakeWatch();
        }
    }

    /**
     * With the lock held: {@code who} gives the read role back, if it holds it; true when it did (the caller then
     * offers it on: {@link ReadRole#offerLocked()}). The reader thread is not woken: it takes a free role after
     * {@link ReadRole#IDLE_NANOS}, so callers taking turns never wake it.
     */
    boolean releaseLocked(Object who) {
        if (reading != who) {
            return false;
        }
        reading = null;
        freedAt = System.nanoTime();
        return true;
    }

    /**
     * Reads on the calling thread, without the lock, while it holds the read role; waits at most {@code timeoutMillis}
     * for the first byte. Returns the count (0: nothing came in that time, -1: end of stream), for
     * {@link #deliverLocked}.
     */
    int readAsCaller(int timeoutMillis) throws IOException {
        ByteBuffer w = window;
        readInto = w;
        return w != null ? link.read(w, timeoutMillis) : link.read(readBuf, timeoutMillis);
    }

    /** An untimed read by the reader thread, into the receive window when there is one, else the read buffer. */
    private int readAsReader() throws IOException {
        ByteBuffer w = window;
        readInto = w;
        return w != null ? link.read(w) : link.read(readBuf);
    }

    /**
     * With the lock held, after {@link #deliverLocked}: a batch the drain gathered meanwhile (requests queued behind the
     * replies just read, e.g. a second caller's under {@code maxInFlight} 1) for the delivering thread to write after
     * releasing the lock ({@link Pump.Claim#write} with deadline now: what the socket takes at once, the rest to the
     * writer thread), so the writer thread is not woken for it; null when none.
     */
    Pump.Claim takeClaimLocked() {
        Pump.Claim c = claimOfDelivery;
        claimOfDelivery = null;
        return c;
    }

    /** With the lock held, by the driver while it handles a delivery: the batch the delivering thread will write. */
    void claimForDeliveryLocked(Pump.Claim c) {
        claimOfDelivery = c;
    }

    /**
     * With the lock held, after a read by the role holder (reader thread or caller): {@code n} bytes of the read
     * buffer (-1: end of stream) or the read's error go to the driver, exactly as from the reader thread. False when
     * the link is finished with (closed, end of stream, a read error): nobody reads it any more.
     */
    boolean deliverLocked(int n, Throwable err) {
        if (closed) {
            return false;
        }
        if (err != null) {
            sink.brokeLocked(this, err);
            return false;
        }
        if (n < 0) {
            sink.brokeLocked(this, new EOFException("end of stream: " + name + " closed the connection"));
            return false;
        }
        ByteBuffer w = readInto;
        readInto = null;
        if (n > 0 && w != null) {
            window = null;
            sink.receivedInWindowLocked(this, w, n); // the bytes are in place: the frame's own array
        } else if (n > 0) {
            window = null;
            sink.receivedLocked(this, ByteBuffer.wrap(readBuf, 0, n));
            if (n == readBuf.length && n < READ_MOST) {
                // a read that fills the buffer means more is waiting (a large block): fewer, bigger reads from now on
                // (each read costs a system call or two and a pass through the driver under the lock); the bytes
                // were copied by the machine, as it copies everything it is given
                readBuf = new byte[n * 2];
            }
        }
        if (n > 0 && !closed) {
            // a frame of known length arriving: the next read goes straight into its array (a 0-byte read kept it)
            ByteBuffer next = sink.windowLocked(this);
            if (next != null && next.remaining() > WINDOW_MOST) {
                next.limit(next.position() + WINDOW_MOST);
            }
            window = next;
        }
        return !closed;
    }

    /** What the thread that read decides under the lock once its read was delivered: whether it reads again. */
    interface AfterDelivery<T> {
        boolean decideLocked(LinkIo io, boolean open, T who);
    }

    /**
     * The steps of every read by the role holder, the reader thread's and a reading caller's alike: under the lock, with
     * wake-ups put off ({@link ReadRole#deferLocked}), hands what was read ({@code n} bytes of the read buffer, -1 at
     * end of stream, or {@code err}) to the driver ({@link #deliverLocked}) and lets {@code after} decide; then, outside
     * the lock, writes the batch the delivery claimed ({@link #takeClaimLocked}) and runs the put-off wake-ups. Returns
     * {@code after}'s answer; a throwable from it goes on to the caller once the put-off steps ran.
     */
    <T> boolean deliverRead(int n, Throwable err, T who, AfterDelivery<T> after) {
        Pump.Claim claim = null;
        ReadRole.Deferred later = null;
        lock.lock();
        try {
            role.deferLocked();
            boolean open = deliverLocked(n, err);
            claim = takeClaimLocked();
            return after.decideLocked(this, open, who);
        } finally {
            later = role.endDeferLocked();
            lock.unlock();
            if (claim != null) {
                claim.write(System.nanoTime()); // requests queued behind the replies read: what the socket takes now
            }
            if (later != null) {
                later.run();
            }
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
        progressAt = System.nanoTime();
        writeReady.signal();
    }

    /**
     * With the lock held: when the batch being written last made progress (it started, or the link took some of its
     * bytes), on the {@link System#nanoTime()} scale; {@link Long#MAX_VALUE} when no batch is being written. The
     * driver renews a link whose write made no progress for a while ({@link Pump}, stuck writer).
     */
    long progressAtLocked() {
        return outgoing == null && !callerWriting || closed ? Long.MAX_VALUE : progressAt;
    }

    /** Writes all of {@code batch}, noting each time the link took some of it. */
    private void writeAll(ByteBuffer batch) throws IOException {
        while (true) {
            link.write(batch);
            if (!batch.hasRemaining()) {
                return;
            }
            progressAt = System.nanoTime();
        }
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
            readerTurn.signal();
            closer = Threads.daemon(link::close, "labwire-close " + name);
            closer.start();
        }
        return closer;
    }

    Link link() {
        return link;
    }

    Thread reader() {
        return reader;
    }

    Thread writer() {
        return writer;
    }

    private void readLoop() {
        while (true) {
            if (shared && !awaitReaderTurn()) {
                return;
            }
            int n = 0;
            Throwable err = null;
            try {
                n = readAsReader();
            } catch (IOException | RuntimeException e) {
                err = e;
            }
            if (!deliverRead(n, err, reader, AFTER_READER_READ)) {
                return;
            }
        }
    }

    /** The reader thread after its read: it stops at the link's end; else a shared role is offered on. */
    private static final AfterDelivery<Thread> AFTER_READER_READ = (io, open, reader) -> {
        io.role.readerReadLocked();
        if (open && io.shared && io.releaseLocked(reader)) {
            io.role.offerLocked(); // to a caller waiting for it, or back to this thread for one that may not read
        }
        return open;
    };

    /**
     * The reader thread waits for the read role (TCP); false when the link closed meanwhile. It takes the role when it
     * is handed to it (a caller that may not read waits) or, once the role was free for {@link ReadRole#IDLE_NANOS},
     * when input arrives while it is still free: it watches the link ({@link Link#awaitReadable}) without holding the
     * role, so a caller that comes meanwhile takes the free role and reads its own reply (with the role taken after
     * 2 ms idle, every call of a client used more than every 2 ms, 100 clients on one CPU, waited for the reader
     * thread to read its reply: two wake-ups a call). While a caller holds the role it looks again every
     * {@link ReadRole#HELD_RECHECK_NANOS}, never once per call. A watch woken by input that a caller then read (a busy
     * client called every few ms) makes the next watch wait for the role to be free for HELD_RECHECK instead of
     * IDLE_NANOS, so a busy client's reader thread wakes about every 20 ms, not at every reply; input that comes when
     * calls stop is then seen within about 40 ms.
     */
    private boolean awaitReaderTurn() {
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    return false;
                }
                long wait = ReadRole.HELD_RECHECK_NANOS;
                if (reading == null) {
                    role.offerLocked();
                }
                if (reading == reader) {
                    return true;
                }
                if (reading == null) {
                    long idle = System.nanoTime() - freedAt;
                    long idleNeeded = watchInVain ? ReadRole.HELD_RECHECK_NANOS : ReadRole.IDLE_NANOS;
                    if (idle >= idleNeeded) {
                        boolean readable;
                        watching = true;
                        lock.unlock();
                        try {
                            readable = link.awaitReadable((int) (ReadRole.HELD_RECHECK_NANOS / 1_000_000));
                        } catch (IOException | RuntimeException e) {
                            readable = true; // the read that follows meets the error (or the close) and reports it
                        } finally {
                            lock.lock();
                            watching = false;
                        }
                        if (readable && reading == null && !closed) {
                            watchInVain = false;
                            reading = reader;
                            return true;
                        }
                        if (reading == null || reading == reader) {
                            continue; // nothing came in HELD_RECHECK (watch again), or the role was handed to it
                        }
                        // a caller took the role meanwhile and reads what woke the watch: this client is busy, so
                        // watch again only after the role was free for HELD_RECHECK (not after every call)
                        watchInVain = readable;
                    } else {
                        wait = idleNeeded - idle;
                    }
                }
                try {
                    readerTurn.awaitNanos(wait);
                } catch (InterruptedException e) {
                    LOG.debug("{}: the reader thread was interrupted; it ends with its link", name);
                }
            }
        } finally {
            lock.unlock();
        }
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
                    writeAll(out);
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
}
