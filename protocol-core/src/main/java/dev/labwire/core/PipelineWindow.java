package dev.labwire.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The window of {@link ConnectionConfig.Pipelining#CONFIRM_BY_WINDOW} (with {@code maxInFlight > 1}): requests written
 * together form a window; once its first reply arrives it is closing (nothing more joins it), and the replies that are
 * whole are held until every request of the window has its reply. {@link ReplyMatcher} decides when the window
 * resolves or fails; this class only keeps its state. Off, it holds nothing and never closes.
 */
final class PipelineWindow {
    private final boolean on;
    private boolean closing;
    private final ArrayList<Exchange> held = new ArrayList<>();

    PipelineWindow(ConnectionConfig config) {
        this.on = config.maxInFlight() > 1 && config.pipelining() == ConnectionConfig.Pipelining.CONFIRM_BY_WINDOW;
    }

    /** Replies are confirmed by window on this connection. */
    boolean on() {
        return on;
    }

    /** Nothing held and not closing: the window neither blocks a write nor holds a deadline. */
    boolean idle() {
        return !on || (!closing && held.isEmpty()); // off, it never closes nor holds: its list is not even looked at
    }

    /** A reply of the window came: nothing more is written until it resolves. */
    boolean closing() {
        return closing;
    }

    /** A live request of the window got (part of) its reply. */
    void replyStarted() {
        closing = on;
    }

    /** {@code e}'s reply is whole; it waits for the rest of the window. */
    void hold(Exchange e) {
        held.add(e);
    }

    /** The earliest of {@code t} and the held requests' deadlines. */
    long earliestDeadline(long t) {
        for (int i = 0; i < held.size(); i++) {
            t = Math.min(t, held.get(i).deadline);
        }
        return t;
    }

    /** Adds the held requests (written, not ended) to {@code out}. */
    void addHeldTo(List<Exchange> out) {
        out.addAll(held);
    }

    /** Takes out and returns the held requests whose deadline has passed at {@code now}. */
    List<Exchange> takeExpired(long now) {
        List<Exchange> out = new ArrayList<>();
        for (int i = held.size() - 1; i >= 0; i--) {
            Exchange e = held.get(i);
            if (!e.ended && e.deadline <= now) {
                held.remove(i);
                out.add(0, e);
            }
        }
        return out;
    }

    /** Takes out and returns every held request, in write order. */
    List<Exchange> takeHeld() {
        List<Exchange> out = new ArrayList<>(held);
        held.clear();
        return out;
    }

    /** Nothing of the window is awaited any more: it reopens; returns the held requests to hand out, in order. */
    List<Exchange> resolve() {
        closing = false;
        return takeHeld();
    }

    /** A new link: no window. */
    void reset() {
        held.clear();
        closing = false;
    }
}
