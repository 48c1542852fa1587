package dev.labwire.core;

/**
 * Where a {@link Connection}'s link is in its life. Changes come out as {@link Event.StateChanged}.
 *
 * <pre>
 *   IDLE --open--> CONNECTING --linkUp--> ON_CONNECT --hook done--> READY
 *                     ^  |                    |                       |
 *                     |  +--linkFailed--+     +------linkDown---------+
 *                     |                 v                             v
 *                     +---backoff timer-- DOWN &lt;----------------------+
 *   any state --close--> CLOSED
 * </pre>
 */
public enum State {
    /** Made, {@link Connection#open} not called yet. */
    IDLE,
    /** The driver was asked ({@link Event.OpenLink}) to open the link and has not answered yet. */
    CONNECTING,
    /** The link is up and the on-connect hook runs; user requests wait. */
    ON_CONNECT,
    /** The link is up and user requests flow. */
    READY,
    /** The link is down; a reconnect is scheduled if the config allows it. */
    DOWN,
    /** Closed for good; every call but {@code close} is refused. */
    CLOSED
}
