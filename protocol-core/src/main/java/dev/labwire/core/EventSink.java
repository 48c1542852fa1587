package dev.labwire.core;

import dev.labwire.core.frame.Frame;

/**
 * Where {@link LinkMachine#nextEvent(EventSink)} hands the next event: a driver's one receiver for everything a
 * machine puts out, so that the commonest events, a reply of one frame and a pushed frame, can reach it without an
 * event object.
 *
 * <p>A reply of exactly one frame may come as {@link #reply(long, Request, Frame)}, a pushed frame as
 * {@link #pushed(Frame)} (from {@link Connection}, when it does not poll service requests itself); every other event,
 * and any the machine does not split, comes as {@link #event(Event)}, {@link Event.Reply} and {@link Event.Pushed}
 * included. {@code reply(id, request, frame)} means exactly what
 * {@code event(new Event.Reply(id, request, List.of(frame)))} would, {@code pushed(frame)} what
 * {@code event(new Event.Pushed(frame))} would, and that is what the two do unless a sink overrides them: a sink that
 * implements only {@link #event} sees every event as an object. Events come in the order
 * {@link LinkMachine#nextEvent()} would hand them out, whichever method carries them.
 *
 * <p>Called on the driver's thread, inside {@code nextEvent(sink)}; a sink may call the machine's inputs (e.g. send
 * the next request) as a {@code nextEvent()} caller may between two events. An exception it throws leaves
 * {@code nextEvent(sink)} with the event already taken out.
 */
public interface EventSink {
    /**
     * The request {@code id} ended with a reply of one frame, {@code frame}: the same as {@link Event.Reply} with
     * {@code List.of(frame)}. By default: {@code event(new Event.Reply(id, request, List.of(frame)))}.
     */
    default void reply(long id, Request request, Frame frame) {
        event(new Event.Reply(id, request, java.util.List.of(frame)));
    }

    /** A frame the device pushed on its own: the same as {@link Event.Pushed}. By default: {@code event(new Event.Pushed(frame))}. */
    default void pushed(Frame frame) {
        event(new Event.Pushed(frame));
    }

    /** Any event but those handed to {@link #reply} or {@link #pushed}. */
    void event(Event event);
}
