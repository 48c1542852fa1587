package dev.labwire.netty.internal;

import dev.labwire.core.LinkMachine;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.serial.SerialLink;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A serial port bridged to the driver's event loop (Netty has no maintained serial transport).
 *
 * <pre>
 *  reader thread:  open port -> loop: linkOpened
 *                  loop { read (&le; 100 ms) -> copy -> loop: linkReceived }     at most 4 chunks in transit
 *  writer thread:  loop: flush -> write the batch (may block under flow control or on a pty nobody drains)
 *                  -> loop: linkWritable once below half the high-water mark
 *  close:          flag + unpark; the reader ends within one read, closes the port (which also frees a
 *                  write stuck under flow control, after SerialLink's 1 s grace) and stops the writer
 * </pre>
 * Outbound bytes are bounded: the bridge takes bytes from the core only while fewer than its high-water mark
 * wait for the writer thread (at most the mark plus one request's bytes are in memory); the rest wait in the
 * core, unwritten, within their requests' deadlines.
 * Backpressure: while paused the reader does not read, so the OS buffer and the line's flow control hold
 * the device back. Opening the same device again waits for the previous bridge on it to let go of the
 * port (jSerialComm allows one handle per device per JVM).
 */
final class SerialBridge implements Link {
    private static final Logger LOG = LoggerFactory.getLogger(SerialBridge.class);
    private static final int CHUNKS_IN_TRANSIT = 4;
    private static final long PREVIOUS_WAIT_MILLIS = 3_000;

    private final NettyDriver driver;
    private final EventLoop loop;
    private final Endpoint.Serial endpoint;
    private final String name;
    private final CompletableFuture<Void> previous;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final Semaphore inTransit = new Semaphore(CHUNKS_IN_TRANSIT);
    private final int highWater;
    /** Bytes taken from the core and not yet written to the port. */
    private final AtomicLong unsent = new AtomicLong();
    /** Set when {@link #writeFrom} stopped at the high-water mark: the writer tells the driver once below half. */
    private final AtomicBoolean wantWritable = new AtomicBoolean();
    private final Thread reader;
    private volatile boolean closing;
    private volatile boolean paused;
    private volatile ExecutorService writer;
    private volatile SerialLink port;
    private List<ByteBuffer> pending = new ArrayList<>();

    /** @param previous the termination of the last bridge this driver opened, to wait for before opening */
    SerialBridge(NettyDriver driver, EventLoop loop, Endpoint.Serial endpoint, String name, CompletableFuture<Void> previous,
                 int highWater) {
        this.driver = driver;
        this.highWater = highWater;
        this.loop = loop;
        this.endpoint = endpoint;
        this.name = name;
        this.previous = previous;
        this.reader = new Thread(this::run, "labwire-serial-reader " + name);
        this.reader.setDaemon(true);
    }

    @Override
    public void start() {
        reader.start();
    }

    private void run() {
        try {
            awaitPrevious();
            SerialLink p;
            try {
                p = SerialLink.open(endpoint);
            } catch (IOException | RuntimeException e) {
                post(() -> driver.linkOpenFailed(this, e));
                return;
            }
            port = p;
            try {
                writer = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "labwire-serial-writer " + name);
                    t.setDaemon(true);
                    return t;
                });
                if (!closing) {
                    post(() -> driver.linkOpened(this));
                    readLoop(p);
                }
            } finally {
                p.close();
                stopWriter();
            }
        } finally {
            terminated.complete(null);
        }
    }

    private void awaitPrevious() {
        try {
            previous.get(PREVIOUS_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("{}: the previous link did not end cleanly: {}", name, e.toString());
        }
    }

    private void readLoop(SerialLink p) {
        byte[] buf = new byte[8192];
        try {
            while (!closing) {
                if (paused) {
                    LockSupport.park(this); // unparked by setReading(true) and close()
                    continue;
                }
                if (!inTransit.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue; // the loop is behind; do not read more until it catches up
                }
                int n = p.read(buf, 0, buf.length);
                if (closing) {
                    return;
                }
                if (n == 0) {
                    inTransit.release();
                    continue;
                }
                ByteBuffer chunk = ByteBuffer.wrap(Arrays.copyOf(buf, n));
                post(() -> {
                    inTransit.release();
                    driver.linkReceived(this, chunk);
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                post(() -> driver.linkLost(this, e, false));
            }
        }
    }

    private void stopWriter() {
        ExecutorService w = writer;
        if (w == null) {
            return;
        }
        w.shutdown();
        try {
            if (!w.awaitTermination(2, TimeUnit.SECONDS)) {
                LOG.warn("{}: the serial writer did not stop within 2 s", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void post(Runnable r) {
        try {
            loop.execute(r);
        } catch (RejectedExecutionException e) {
            closing = true; // the event loop is gone; nobody is listening any more
        }
    }

    @Override
    public boolean writeFrom(LinkMachine machine) {
        boolean wrote = false;
        while (true) {
            if (unsent.get() >= highWater) {
                wantWritable.set(true);
                if (unsent.get() >= highWater) {
                    return wrote; // the writer tells the loop once it is below half (it saw the flag, set first)
                }
            }
            ByteBuffer out = machine.pollTransmit();
            if (out == null) {
                return wrote;
            }
            if (driver.wire.isTraceEnabled()) {
                driver.traceSent(machine, out);
            }
            unsent.addAndGet(out.remaining());
            pending.add(out); // a fresh array-backed buffer: the writer thread may take it as it is
            wrote = true;
        }
    }

    @Override
    public boolean writable() {
        return unsent.get() < highWater;
    }

    @Override
    public long unsentBytes() {
        return unsent.get();
    }

    /** On the writer thread: {@code n} bytes went out; below half the mark a waiting driver is told. */
    private void sent(int n) {
        if (unsent.addAndGet(-n) <= highWater / 2 && wantWritable.getAndSet(false)) {
            post(() -> driver.linkWritable(this));
        }
    }

    @Override
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<ByteBuffer> batch = pending;
        pending = new ArrayList<>();
        SerialLink p = port;
        try {
            writer.execute(() -> writeBatch(p, batch));
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: write after close dropped", name);
        }
    }

    private void writeBatch(SerialLink p, List<ByteBuffer> batch) {
        try {
            for (ByteBuffer b : batch) {
                if (closing) {
                    return;
                }
                // the core hands out array-backed buffers
                int n = b.remaining();
                p.write(b.array(), b.arrayOffset() + b.position(), n);
                sent(n);
            }
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                post(() -> driver.linkLost(this, e, false));
            }
        }
    }

    @Override
    public void setReading(boolean on) {
        paused = !on;
        if (on) {
            LockSupport.unpark(reader);
        }
    }

    @Override
    public boolean reading() {
        return !paused;
    }

    @Override
    public CompletableFuture<Void> close() {
        closing = true;
        LockSupport.unpark(reader);
        return terminated;
    }

    @Override
    public String toString() {
        return "SerialBridge[" + name + "]";
    }
}
