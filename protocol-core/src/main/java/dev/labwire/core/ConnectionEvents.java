package dev.labwire.core;

import dev.labwire.core.frame.Frame;
import java.util.ArrayDeque;

/**
 * The event queue of a {@link Connection}: everything {@link Connection#nextEvent()} and
 * {@link Connection#nextEvent(EventSink)} hand out, in the order it happened.
 *
 * <p>Theory of operation. An entry is an {@link Event}, an {@link Exchange} that ended with its reply
 * ({@link #addReply}), or a pushed {@link Frame} ({@link #addPushed}); the {@link Event.Reply} or
 * {@link Event.Pushed} of the last two is made only when a driver asks for the event object ({@link #next()}), so a
 * driver that drains into an {@link EventSink} gets a one-frame reply and a pushed frame without them. With
 * service-request polling on, the polls' own endings are swallowed on the way out ({@link ServicePoll#filter}) and
 * every event reaches a sink as an object.
 *
 * <p>Separate from the connection because it owns only the order and the form of what comes out; every part of the
 * connection (lifecycle, queues, the {@link ReplyMatcher}) adds to it, none reads it back. Not thread-safe.
 */
final class ConnectionEvents {
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private final ServicePoll srq; // null unless serviceRequestPolling is set
    /** Entries ever added that are not pushed frames ({@link Connection#receivedOnlyPushed()} compares it). */
    private long othersAdded;

    ConnectionEvents(ServicePoll srq) {
        this.srq = srq;
    }

    void add(Event event) {
        othersAdded++;
        queue.add(event);
    }

    /** How many entries other than pushed frames were ever added. */
    long othersAdded() {
        return othersAdded;
    }

    /**
     * {@code e} ended with its reply: the exchange itself waits here (it is ended, so its id, request and frames no
     * longer change) and its {@link Event.Reply} is made only if a driver asks for the event object.
     */
    void addReply(Exchange e) {
        othersAdded++;
        queue.add(e);
    }

    /** A frame the device pushed: {@link Event.Pushed}, made only when a driver asks for the event object. */
    void addPushed(Frame frame) {
        queue.add(frame);
    }

    /** The next event, or {@link Event.NeedData#INSTANCE} when there is none. */
    Event next() {
        Event e = event(queue.pollFirst());
        while (srq != null && e != null) { // the service-request polls' own endings never reach the driver
            Event shown = srq.filter(e);
            if (shown != null) {
                return shown;
            }
            e = event(queue.pollFirst());
        }
        return e == null ? Event.NeedData.INSTANCE : e;
    }

    /**
     * Hands the next event to {@code sink}; false, calling nothing, when there is none. A one-frame reply goes to
     * {@link EventSink#reply} and a pushed frame to {@link EventSink#pushed} without their event objects, unless service
     * requests are polled (then every event goes to {@link EventSink#event}).
     */
    boolean next(EventSink sink) {
        if (srq != null) {
            Event e = next();
            if (e == Event.NeedData.INSTANCE) {
                return false;
            }
            sink.event(e);
            return true;
        }
        Object o = queue.pollFirst();
        if (o == null) {
            return false;
        }
        if (o instanceof Exchange x) {
            Frame only = x.onlyFrame();
            if (only != null) {
                sink.reply(x.id, x.request, only);
            } else {
                sink.event(new Event.Reply(x.id, x.request, x.frames()));
            }
        } else if (o instanceof Frame f) {
            sink.pushed(f);
        } else {
            sink.event((Event) o);
        }
        return true;
    }

    /** The event an entry of the queue stands for; null for null. */
    private static Event event(Object o) {
        if (o instanceof Exchange x) {
            return new Event.Reply(x.id, x.request, x.frames());
        }
        if (o instanceof Frame f) {
            return new Event.Pushed(f);
        }
        return (Event) o;
    }
}
