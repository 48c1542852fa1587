package dev.labwire.blocking.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.endpoint.Endpoint;
import java.io.Closeable;
import java.io.IOException;

/**
 * Opens links off the driver thread, so that the core's timers keep running while a connect hangs (a black-holed
 * address, a listener that never accepts, a serial open stuck in the OS): a call made meanwhile ends at its own
 * deadline saying the link is still connecting. One attempt at a time, numbered; an attempt that ends after the
 * client closed (or after a newer attempt started) closes its link and changes nothing. {@link #abort()} closes a
 * TCP socket whose connect is in progress, so that {@code close()} never waits for a connect timeout.
 */
final class Connector {
    /** Told, with no lock held, how attempt {@code attempt} ended: a link, or why not. */
    interface Result {
        void opened(long attempt, Link link, Throwable failure);
    }

    private static final long CLOSE_WAIT_NANOS = 2_000_000_000L;

    private final Endpoint endpoint;
    private final ConnectionConfig config;
    private final String name;
    private volatile Closeable connecting;
    private volatile Thread thread;
    private long attempts;

    Connector(Endpoint endpoint, ConnectionConfig config, String name) {
        this.endpoint = endpoint;
        this.config = config;
        this.name = name;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /**
     * Starts attempt n+1 on its own thread; returns its number. Called with the driver's lock held. The attempt first
     * waits (up to 2 s) for {@code previousClose}, the close of the last link, if any: a serial port cannot be opened
     * again while its close is still running. {@code target} is where the link goes: the endpoint, or for a session
     * machine that chose its port ({@code linkPort()}) the endpoint's host at that port.
     */
    long start(Thread previousClose, Endpoint target, Result result) {
        long attempt = ++attempts;
        Thread t = Threads.daemon(() -> {
            Threads.joinAll(System.nanoTime() + CLOSE_WAIT_NANOS, previousClose);
            Link l = null;
            Throwable failure = null;
            try {
                l = Link.open(target, config, c -> connecting = c);
            } catch (IOException | RuntimeException e) {
                failure = e;
            } finally {
                connecting = null;
            }
            result.opened(attempt, l, failure);
        }, "labwire-connect " + name);
        thread = t;
        t.start();
        return attempt;
    }

    /** Aborts a TCP connect in progress (the attempt then fails at once); returns the connecting thread, if any. */
    Thread abort() {
        Closeable c = connecting;
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // closing to abort: nothing to do about a failure
            }
        }
        return thread;
    }
}
