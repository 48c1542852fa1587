package dev.labwire.mock;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of a {@link MockInstrument}: a reader thread that splits what the client sends into
 * {@code \n}-ended commands and records them, and an answer thread that sends their replies in order.
 * Pushes and replies share one write lock, so a pushed frame never lands inside a reply.
 *
 * <p>Echo: with no echo delay the reader writes each chunk straight back. With a delay, a third thread (made on
 * first use) writes each chunk back when it is due, in order, and a reply waits until the echo of the chunk that
 * ended its command has gone out: an adapter's echo always comes before the device's answer.
 */
final class Session {

    /** Bytes without a {@code \n} kept for one command at most; beyond that the command is dropped. */
    static final int MAX_COMMAND = 64 * 1024;

    private static final Logger log = LoggerFactory.getLogger(Session.class);
    private static final Pending END = new Pending(null, 0, 0);
    private static final Echo ECHO_END = new Echo(null, 0, 0);

    /** The bytes of one link, blocking. */
    interface Wire {
        /** Reads into {@code buf}; -1 at end of stream. */
        int read(byte[] buf) throws IOException;

        void write(byte[] b, int off, int len) throws IOException;

        /** Ends the sending side only, when the link can (TCP); otherwise drops the whole link. */
        void shutdownOutput() throws IOException;

        /** Idempotent; unblocks a blocked read. */
        void close();
    }

    /** A reply to send, when its command was read, and the echo it must follow (0: none). */
    private record Pending(MockReply reply, long readNanos, long afterEcho) {
    }

    /** Bytes to echo at {@code dueNanos}, numbered from 1 in order. */
    private record Echo(byte[] bytes, long dueNanos, long seq) {
    }

    private final MockInstrument owner;
    private final Wire wire;
    private final String name;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final BlockingQueue<Pending> answers = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean stalled;
    private final Thread reader;
    private final Thread answerer;
    private final BlockingQueue<Echo> echoes = new LinkedBlockingQueue<>();
    private final Object echoLock = new Object();
    private long echoed;                // guarded by echoLock: the last echo written
    private long lastEcho;              // reader thread only: the last echo queued
    private volatile Thread echoer;     // made by the reader on the first delayed echo

    Session(MockInstrument owner, Wire wire, String name) {
        this.owner = owner;
        this.wire = wire;
        this.name = name;
        this.reader = new Thread(this::readLoop, "mock-read " + name);
        this.answerer = new Thread(this::answerLoop, "mock-answer " + name);
        reader.setDaemon(true);
        answerer.setDaemon(true);
    }

    /** Before {@link #start}: {@code reply} goes out first, its delay counted from now, before any answer. */
    void greet(MockReply reply) {
        if (reply.kind == MockReply.Kind.BYTES) {
            answers.add(new Pending(reply, System.nanoTime(), 0));
        }
    }

    void start() {
        reader.start();
        answerer.start();
    }

    Wire wire() {
        return wire;
    }

    boolean isAlive() {
        Thread e = echoer;
        return reader.isAlive() || answerer.isAlive() || (e != null && e.isAlive());
    }

    boolean isClosed() {
        return closed.getCount() == 0;
    }

    /** Ends a stall: later commands are answered again. */
    void resume() {
        stalled = false;
    }

    private void readLoop() {
        byte[] buf = new byte[8192];
        byte[] line = new byte[256];
        int len = 0;
        boolean overflow = false;
        try {
            for (int n; (n = wire.read(buf)) >= 0; ) {
                if (owner.echoes() && n > 0 && !echo(java.util.Arrays.copyOf(buf, n))) {
                    return;
                }
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (b == '\n') {
                        if (overflow) {
                            log.warn("{}: dropped a command longer than {} bytes", name, MAX_COMMAND);
                        } else {
                            int end = len > 0 && line[len - 1] == '\r' ? len - 1 : len;
                            received(new String(line, 0, end, StandardCharsets.ISO_8859_1));
                        }
                        len = 0;
                        overflow = false;
                    } else if (len == MAX_COMMAND) {
                        overflow = true;
                    } else if (!overflow) {
                        if (len == line.length) {
                            line = java.util.Arrays.copyOf(line, Math.min(MAX_COMMAND, line.length * 2));
                        }
                        line[len++] = b;
                    }
                }
            }
            log.debug("{}: the client closed the link", name);
        } catch (IOException e) {
            if (!isClosed()) {
                log.debug("{}: link read ended: {}", name, e.toString());
            }
        } finally {
            close();
        }
    }

    /** Echoes a chunk now or, with an echo delay, queues it; false when the link is gone. */
    private boolean echo(byte[] chunk) {
        long delay = owner.echoDelay().toNanos();
        if (delay == 0 && echoer == null) {
            return push(chunk);
        }
        if (echoer == null) {
            Thread t = new Thread(this::echoLoop, "mock-echo " + name);
            t.setDaemon(true);
            echoer = t;
            t.start();
        }
        echoes.add(new Echo(chunk, System.nanoTime() + delay, ++lastEcho));
        return true;
    }

    private void echoLoop() {
        try {
            while (true) {
                Echo e = echoes.take();
                if (e == ECHO_END || !pause(e.dueNanos - System.nanoTime()) || !push(e.bytes)) {
                    return;
                }
                synchronized (echoLock) {
                    echoed = e.seq;
                    echoLock.notifyAll();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until echo {@code seq} has been written; false when the session closed first. */
    private boolean awaitEcho(long seq) throws InterruptedException {
        synchronized (echoLock) {
            while (echoed < seq) {
                if (isClosed()) {
                    return false;
                }
                echoLock.wait();
            }
            return true;
        }
    }

    private void received(String command) {
        long now = System.nanoTime();
        owner.record(command);
        if (stalled) {
            return;
        }
        MockReply reply = owner.replyFor(command);
        if (reply.kind == MockReply.Kind.STALL) {
            stalled = true;
            return;
        }
        if (reply.kind == MockReply.Kind.BYTES) {
            answers.add(new Pending(reply, now, lastEcho));
        }
    }

    private void answerLoop() {
        try {
            while (true) {
                Pending p = answers.take();
                if (p == END) {
                    return;
                }
                long start = p.readNanos;
                for (MockReply r = p.reply; r != null; r = r.next) {
                    if (!pause(start + r.delay.toNanos() - System.nanoTime())
                            || (r == p.reply && !awaitEcho(p.afterEcho))) {
                        return;
                    }
                    if (r.kind == MockReply.Kind.BYTES && !send(r)) {
                        return;
                    }
                    start = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits {@code nanos} unless the session closes first; false when it closed. */
    private boolean pause(long nanos) throws InterruptedException {
        if (nanos <= 0) {
            return !isClosed();
        }
        return !closed.await(nanos, TimeUnit.NANOSECONDS);
    }

    /** Sends one reply; false when the session is over. */
    private boolean send(MockReply r) throws InterruptedException {
        byte[] b = r.raw();
        int count = r.closeAfter < 0 ? b.length : Math.min(r.closeAfter, b.length);
        writeLock.lock();
        try {
            if (r.byteGap == null) {
                wire.write(b, 0, count);
            } else {
                for (int i = 0; i < count; i++) {
                    if (i > 0 && !pause(r.byteGap.toNanos())) {
                        return false;
                    }
                    wire.write(b, i, 1);
                }
            }
            if (r.closeAfter >= 0) {
                log.debug("{}: dropping the link after {} of {} reply bytes", name, count, b.length);
                owner.dropLink(this);
                return false;
            }
            if (r.halfClose) {
                log.debug("{}: half-closing after the reply", name);
                owner.halfClose(this);
            }
            return true;
        } catch (InterruptedIOException e) {
            throw new InterruptedException(e.getMessage());
        } catch (IOException e) {
            log.debug("{}: reply not sent, the link is gone: {}", name, e.toString());
            close();
            return false;
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes pushed bytes between replies; false when the link is gone. */
    boolean push(byte[] bytes) {
        if (isClosed()) {
            return false;
        }
        writeLock.lock();
        try {
            wire.write(bytes, 0, bytes.length);
            return true;
        } catch (IOException e) {
            log.debug("{}: push not sent, the link is gone: {}", name, e.toString());
            close();
            return false;
        } finally {
            writeLock.unlock();
        }
    }

    /** Closes the link; idempotent; does not wait for the threads (see {@link #join}). */
    void close() {
        if (isClosed()) {
            return;
        }
        closed.countDown();
        answers.add(END);
        echoes.add(ECHO_END);
        synchronized (echoLock) {
            echoLock.notifyAll();
        }
        wire.close();
        owner.sessions().sessionEnded(this);
    }

    /** Waits for both threads to end (not for the calling one). */
    void join(long millis) throws InterruptedException {
        for (Thread t : new Thread[] {reader, answerer, echoer}) {
            if (t != null && t != Thread.currentThread()) {
                t.join(millis);
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
