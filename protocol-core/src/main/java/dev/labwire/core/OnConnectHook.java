package dev.labwire.core;

import java.util.List;

/**
 * The on-connect hook of a {@link Connection} on the current link: its requests not yet written, how many of its
 * requests have not ended, and whether an external hook ({@code externalHook(true)}) still runs.
 *
 * <p>Theory of operation. On every new link the config's {@code onConnect} requests are queued here, ahead of every
 * user request; an external hook adds its own ({@link Connection#sendHook}) until it says {@link Connection#hookDone}.
 * The hook is {@link #done()} when every one of its requests ended and no external hook runs: only then may the
 * connection become {@link State#READY}. A hook request that ends without its reply closes the link (the connection
 * decides that; this class only counts). A dropped link forgets the hook ({@link #reset()}); the next link runs it again.
 *
 * <p>Separate from the connection because its state lives exactly as long as one link's hook and answers one question,
 * whether user requests may flow. Not thread-safe.
 */
final class OnConnectHook {
    private final List<Request> requests; // config's, with operations as raw SCPI requests
    private final boolean external;
    private final RequestQueue queue = new RequestQueue();
    private int outstanding;
    private boolean externalOpen;

    OnConnectHook(ConnectionConfig config) {
        this.requests = config.onConnect().stream().map(dev.labwire.core.internal.Operations::onRawLink).toList();
        this.external = config.externalHook();
    }

    /** The config's hook requests, to be queued on every new link. */
    List<Request> requests() {
        return requests;
    }

    /** Queues a hook request; it counts as outstanding until it ends. */
    void add(Exchange e) {
        queue.add(e);
        outstanding++;
    }

    /** The config's requests are queued on a new link: an external hook, if configured, runs from now. */
    void openExternal() {
        externalOpen = external;
    }

    /** An external hook runs: it may still send requests, and user requests wait for its word. */
    boolean externalOpen() {
        return externalOpen;
    }

    /** The external hook gave its word (done or failed). */
    void closeExternal() {
        externalOpen = false;
    }

    /** Every hook request ended and no external hook runs. */
    boolean done() {
        return outstanding == 0 && !externalOpen;
    }

    /**
     * The hook request {@code e} ended with {@code ending} (null for a reply): null when it succeeded, else why the
     * hook failed (the link is renewed).
     */
    String ended(Exchange e, Event ending) {
        outstanding--;
        if (ending == null || ending instanceof Event.Reply) {
            return null;
        }
        return "on-connect hook request " + e.request + " did not succeed: " + describe(ending);
    }

    private static String describe(Event ending) {
        if (ending instanceof Event.Failed f) {
            return f.cause().getMessage();
        }
        return "timed out";
    }

    /** The next hook request to write, taken out; null when none waits. */
    Exchange poll() {
        return queue.poll();
    }

    /** Takes out the queued hook request {@code id} (it no longer counts) and returns it; null when it is not queued. */
    Exchange withdraw(long id) {
        Exchange e = queue.withdraw(id);
        if (e != null) {
            outstanding--;
        }
        return e;
    }

    /** The earliest deadline of the queued hook requests, or {@link Exchange#NO_DEADLINE}. */
    long earliestDeadline() {
        return queue.isEmpty() ? Exchange.NO_DEADLINE : queue.earliestDeadline();
    }

    /** Queued hook requests whose deadline passed end with an unwritten timeout (see {@link RequestQueue#expire}). */
    void expire(long now, Connection owner) {
        queue.expire(now, owner);
    }

    /** Every queued hook request fails with {@code cause}. */
    void failQueued(ConnectionEvents events, Throwable cause) {
        queue.failAll(events, cause);
    }

    /** The link dropped: nothing of this link's hook is outstanding any more. */
    void reset() {
        outstanding = 0;
        externalOpen = false;
    }
}
