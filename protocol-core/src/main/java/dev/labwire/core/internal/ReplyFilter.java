package dev.labwire.core.internal;

import dev.labwire.core.frame.Frame;

/**
 * Tells a connection that a reply frame cannot belong to the request awaiting it, because it names another
 * sender (an addressed bus: the frame carries another device's address). Such a frame is discarded
 * ({@code Event.Discarded}, {@code FOREIGN}) and the request keeps waiting for its own reply.
 */
@FunctionalInterface
public interface ReplyFilter {
    /** No frame is foreign. */
    ReplyFilter NONE = (id, frame) -> false;

    /**
     * @param id    the connection's id of the request at the head of the reply line
     * @param frame a reply frame framed for it
     * @return true when {@code frame} certainly answers some other request
     */
    boolean isForeign(long id, Frame frame);
}
