package dev.labwire.mock;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client connection of a {@link FaultProxy} and its instrument connection, with a pump thread each way.
 *
 * <p>Each chunk read goes through the faults in a fixed order, each drawn from the direction's seeded random
 * source only when its probability is above zero (so adding a fault never changes the draws of a config without
 * it): instrument to client, reply lines are cut at {@code \n} and dropped whole; then delay, reset, stall,
 * garbage and byte splits. Client to instrument, the pump waits while the proxy is told to stop reading.
 */
final class ProxyPair {

    private final FaultProxy proxy;
    private final FaultProxy.Builder config;
    private final Socket client;
    private final Socket device;
    private final Thread up;
    private final Thread down;
    private final AtomicInteger ended = new AtomicInteger();
    private boolean atLineStart = true;   // down pump only
    private boolean droppingLine;         // down pump only

    ProxyPair(FaultProxy proxy, FaultProxy.Builder config, Socket client, Socket device, int n) {
        this.proxy = proxy;
        this.config = config;
        this.client = client;
        this.device = device;
        long s = config.seed * 0x9E3779B97F4A7C15L + n;
        SplittableRandom upRandom = new SplittableRandom(s);
        SplittableRandom downRandom = new SplittableRandom(s ^ 0x5DEECE66DL);
        this.up = new Thread(() -> pump(client, device, upRandom, false), "mock-proxy up #" + n);
        this.down = new Thread(() -> pump(device, client, downRandom, true), "mock-proxy down #" + n);
        up.setDaemon(true);
        down.setDaemon(true);
    }

    void start() {
        up.start();
        down.start();
    }

    boolean isEnded() {
        return ended.get() != 0;
    }

    void join() throws InterruptedException {
        if (up.isAlive() || up.getState() != Thread.State.NEW) {
            up.join(5000);
        }
        if (down.isAlive() || down.getState() != Thread.State.NEW) {
            down.join(5000);
        }
    }

    private void pump(Socket from, Socket to, SplittableRandom random, boolean toClient) {
        byte[] buf = new byte[4096];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (true) {
                // checked before and after the read: a chunk read as reading stops is held, not forwarded
                if (!toClient && !proxy.awaitReading(this)) {
                    return;
                }
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                if (!toClient && !proxy.awaitReading(this)) {
                    return;
                }
                if (!forward(buf, n, out, random, toClient)) {
                    return;
                }
            }
            // an orderly end on one side ends the other side too
            reset();
        } catch (IOException e) {
            reset();
        } catch (InterruptedException e) {
            reset();
            Thread.currentThread().interrupt();
        }
    }

    /** Forwards one chunk with its faults; false when this pair was reset. */
    private boolean forward(byte[] buf, int n, OutputStream out, SplittableRandom random, boolean toClient)
            throws IOException, InterruptedException {
        boolean faults = !proxy.isQuiet();
        if (toClient) {
            n = dropLines(buf, n, random, faults);
        }
        if (faults && hit(random, config.delayP)) {
            proxy.delays.increment();
            if (!pause(random.nextLong(config.delayMax.toNanos() + 1))) {
                return false;
            }
        }
        if (faults && hit(random, config.resetP)) {
            proxy.resets.increment();
            out.write(buf, 0, random.nextInt(n + 1));
            out.flush();
            reset();
            return false;
        }
        if (toClient && faults && hit(random, config.stallP)) {
            proxy.stalls.increment();
            if (!pause(config.stallFor.toNanos())) {
                return false;
            }
        }
        if (toClient && faults && hit(random, config.garbageP)) {
            proxy.garbage.increment();
            byte[] noise = new byte[1 + random.nextInt(config.garbageMax)];
            for (int i = 0; i < noise.length; i++) {
                noise[i] = (byte) (0x80 + random.nextInt(0x80));
            }
            out.write(noise);
        }
        if (toClient && faults && n > 1 && hit(random, config.splitP)) {
            proxy.splits.increment();
            for (int i = 0; i < n; i++) {
                out.write(buf[i]);
                out.flush();
            }
        } else if (n > 0) {
            out.write(buf, 0, n);
        }
        out.flush();
        return true;
    }

    /**
     * Removes the bytes of dropped reply lines from {@code buf[0..n)}, keeping the others in order; returns how
     * many are left. A line is everything up to and including a {@code \n}; whether it is dropped is decided at
     * its first byte, so a line split over several chunks is dropped or kept whole.
     */
    private int dropLines(byte[] buf, int n, SplittableRandom random, boolean faults) {
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (atLineStart) {
                atLineStart = false;
                droppingLine = proxy.dropLine(random, faults);
            }
            byte b = buf[i];
            if (!droppingLine) {
                buf[kept++] = b;
            }
            if (b == '\n') {
                atLineStart = true;
            }
        }
        return kept;
    }

    private boolean pause(long nanos) throws InterruptedException {
        return proxy.pause(nanos) && !isEnded();
    }

    /** Resets both connections (RST where the OS allows); idempotent. */
    void reset() {
        if (ended.getAndIncrement() != 0) {
            return;
        }
        for (Socket s : new Socket[] {client, device}) {
            try {
                s.setSoLinger(true, 0);
            } catch (IOException e) {
                // already closed
            }
            FaultProxy.closeQuietly(s);
        }
        proxy.ended(this);
    }

    static boolean hit(SplittableRandom random, double p) {
        return p > 0 && random.nextDouble() < p;
    }
}
