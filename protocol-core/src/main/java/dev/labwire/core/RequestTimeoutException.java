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

    /** A timeout of {@code request} after {@code timeout}, its bytes {@code written} or not. */
    public RequestTimeoutException(Request request, Duration timeout, boolean written) {
        this(request, timeout, written, null);
    }

    /**
     * A timeout of {@code request} after {@code timeout}, its bytes {@code written} or not; {@code detail} (from
     * {@link Event.Timeout#detail()}, may be null) says what it waited for: what held the link and what to change.
     */
    public RequestTimeoutException(Request request, Duration timeout, boolean written, String detail) {
        super("no reply to \"" + request.shownText() + "\" within " + dev.labwire.core.internal.Durations.show(timeout)
                + (written ? (detail == null ? "" : " (" + detail + ")")
                        : " (it was never written: " + (detail == null ? "the link was busy or down" : detail) + ")"));
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
