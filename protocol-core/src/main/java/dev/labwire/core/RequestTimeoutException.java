package dev.labwire.core;

import java.time.Duration;

/**
 * Thrown by the clients (never by the core) when a request ended with {@link Event.Timeout}: no whole
 * reply within its whole-exchange timeout. The connection is still usable; its
 * {@link StaleReplyPolicy} makes sure a late reply never answers a later request.
 */
public final class RequestTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Request request;
    private final boolean written;

    public RequestTimeoutException(Request request, Duration timeout, boolean written) {
        super("no reply to \"" + request.text() + "\" within " + timeout.toMillis() + " ms"
                + (written ? "" : " (it was never written: the link was busy or down)"));
        this.request = request;
        this.written = written;
    }

    /** The request that timed out. */
    public Request request() {
        return request;
    }

    /** True when the request's bytes had reached the driver (the device may have acted on it). */
    public boolean written() {
        return written;
    }
}
