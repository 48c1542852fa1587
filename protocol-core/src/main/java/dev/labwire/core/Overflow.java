package dev.labwire.core;

/**
 * What a client does when a bounded hand-off queue (pushed frames waiting for a slow poller or consumer, state
 * changes waiting for a slow listener) is full and one more item comes. Whatever the policy, memory stays bounded
 * and every item not delivered is counted; clients also log a rate-limited warning.
 *
 * <pre>
 *   queue (capacity 3) holds  A B C, then D comes:
 *   DROP_OLDEST   B C D        A dropped, counted
 *   KEEP_LATEST   D            only the newest waits: A B C replaced, counted (capacity does not matter)
 *   FAIL          A B C        D refused and counted; the stream fails (the consumer is told, then it restarts)
 * </pre>
 */
public enum Overflow {
    /** The oldest waiting item is dropped to make room (the default: a stream shows its newest samples). */
    DROP_OLDEST,
    /** Only the newest item waits; an older one not yet taken is replaced (a latest-value monitor). */
    KEEP_LATEST,
    /** The new item is refused and the stream fails: a consumer that must see every frame learns it missed some. */
    FAIL
}
