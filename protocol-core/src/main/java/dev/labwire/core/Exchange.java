package dev.labwire.core;

import dev.labwire.core.frame.Frame;
import java.util.ArrayList;
import java.util.List;

/**
 * One request's life inside a {@link Connection}: queued, written, collecting its reply frames, and, after it
 * ended early (timeout, bad reply, or an earlier request's timeout made its reply ambiguous), possibly a
 * "zombie" that still owns its place in the reply line and its echo so that what it is owed is swallowed
 * instead of reaching a later request.
 */
final class Exchange {
    enum Kind { USER, HOOK, PROBE }

    static final long NO_DEADLINE = Long.MAX_VALUE;

    final long id;
    final Request request;
    final Kind kind;
    final long deadline;
    boolean written;
    /** Order of writing, from 1; 0 while not written. */
    long writeSeq;
    /** Its ending event was emitted. */
    boolean ended;
    /** Ended for its caller while still owed reply frames (in the line) or echo bytes. */
    boolean zombie;
    /** In the reply line: written, expecting a reply, not yet whole (or released). */
    boolean inLine;
    /** Its echo is awaited (echo checking on). */
    boolean echoOwed;
    /** A framing error of its reply was reported while the framer still discards the rest of that frame. */
    boolean discardOwed;
    /** For a zombie: when what it is owed stops being worth waiting for. */
    long graceDeadline = NO_DEADLINE;
    /** Frames (or framing errors) received for this reply so far. */
    int received;
    boolean blockStarted; // a '#' was seen at the head of the input while this exchange led the line
    /** The reply's frame while it is the only one a one-frame reply has (no list made for it); else null. */
    private Frame only;
    /** The reply's frames for any other reply; null while none came. */
    private List<Frame> frames;

    /**
     * A write whose device acknowledges it ({@link ConnectionConfig#writeAcknowledgement()}): it awaits one frame of the
     * connection's framing as a query does, and that frame is checked when the reply is whole.
     */
    final java.util.regex.Pattern acknowledgement;

    Exchange(long id, Request request, Kind kind, long deadline, java.util.regex.Pattern acknowledgement) {
        this.id = id;
        this.request = request;
        this.kind = kind;
        this.deadline = deadline;
        this.acknowledgement = acknowledgement;
    }

    /** What reply this exchange awaits: its request's, or one frame for an acknowledged write. */
    Expect expect() {
        return acknowledgement == null ? request.expect() : Expect.Frames.ONE;
    }

    /** True when this exchange's reply is cut by the connection's own framing (and so classified). */
    boolean usesBaseFraming() {
        return expect() instanceof Expect.Frames || expect() instanceof Expect.UntilMarker;
    }

    void add(Frame f) {
        if (frames == null && only == null && expect() instanceof Expect.Frames n && n.count() == 1) {
            only = f;
            return;
        }
        if (frames == null) {
            frames = new ArrayList<>();
            if (only != null) { // not reached while the count is 1 (the reply is whole at its first frame); kept safe
                frames.add(only);
                only = null;
            }
        }
        frames.add(f);
    }

    /** The reply's frames so far, in order. */
    List<Frame> frames() {
        if (only != null) {
            return List.of(only);
        }
        return frames == null ? List.of() : frames;
    }

    /** The reply's frame when it has exactly one, else null. */
    Frame onlyFrame() {
        if (only != null) {
            return only;
        }
        return frames != null && frames.size() == 1 ? frames.get(0) : null;
    }

    /** Back to "not written" for a new attempt on the next link: nothing of the last attempt's reply is kept. */
    void rewind() {
        written = false;
        writeSeq = 0;
        zombie = false;
        inLine = false;
        echoOwed = false;
        discardOwed = false;
        graceDeadline = NO_DEADLINE;
        received = 0;
        blockStarted = false;
        only = null;
        frames = null;
    }

    /** Something is still owed to it on the wire (a reply in the line, an echo). */
    boolean owesSomething() {
        return inLine || echoOwed;
    }

    @Override
    public String toString() {
        return "#" + id + " " + request;
    }
}
