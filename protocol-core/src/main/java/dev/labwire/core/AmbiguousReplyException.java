package dev.labwire.core;

/**
 * A request written behind one that ended without its whole reply (timed out, or failed mid-reply) while
 * {@code maxInFlight > 1}: replies are matched by position, and the device may or may not still answer the
 * earlier request (a SCPI instrument sends nothing for a query with an error), so no later reply can be told
 * apart from the one before it. The request fails instead of risking another request's reply; the message
 * names the request that broke the order. The connection then resynchronises by its {@link StaleReplyPolicy}
 * before anything else is written.
 */
public final class AmbiguousReplyException extends RemoteProtocolException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}. */
    public AmbiguousReplyException(String message) {
        super(message);
    }
}
