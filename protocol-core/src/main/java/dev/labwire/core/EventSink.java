package dev.labwire.core;

import dev.labwire.core.frame.Frame;

/**
 * Where {@link LinkMachine#nextEvent(EventSink)} hands the next event: a driver's one receiver for everything a
 * machine puts out, so that the commonest event, a reply of one frame, can reach it without an event object.
 *
 * <p>A reply of exactly one frame may come as {@link #reply(long, Request, Frame)} (from {@link Connection}, when it
 * does not poll service requests itself); every other event, and any reply the machine does not split, comes as
 * {@link #event(Event)}, {@link Event.Reply} included. So a sink must handle {@link Event.Reply} in {@link #event}
 * too, and treat both alike: {@code reply(id, request, frame)} means exactly what
 * {@code event(new Event.Reply(id, request, List.of(frame)))} would. Events come in the order
 * {@link LinkMachine#nextEvent()} would hand them out, whichever method carries them.
 *
 * <p>Called on the driver's thread, inside {@code nextEvent(sink)}; a sink may call the machine's inputs (e.g. send
 * the next request) as a {@code nextEvent()} caller may between two events. An exception it throws leaves
 * {@code nextEvent(sink)} with the event already taken out.
 */
public interface EventSink {
    /**
     * The request {@code id} ended with a reply of one frame, {@code frame}: the same as {@link Event.Reply} with
     * {@code List.of(frame)}.
     */
    void reply(long id, Request request, Frame frame);

    /** Any event but those handed to {@link #reply}. */
    void event(Event event);
}
