package dev.labwire.core;

import dev.labwire.core.frame.BlockFramer;
import dev.labwire.core.frame.FixedLengthFramer;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.Framer;
import dev.labwire.core.frame.FramingError;
import dev.labwire.core.frame.FramingException;
import dev.labwire.core.frame.InputBuffer;
import dev.labwire.core.internal.ReplyFilter;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Who owns the next incoming byte of a {@link Connection}, in one place.
 *
 * <p>Theory of operation. Every byte that arrives belongs to exactly one owner, tried in this order:
 * <ol>
 *   <li><b>an echo still owed</b> ({@link EchoCheck}): with half-duplex echo on, the bytes of every write come
 *       back first, in write order, and are checked and dropped. An echo stays owed after its request ended
 *       (a late echo is still dropped, never framed as a reply) until it is whole or the stale-reply grace of
 *       its request ends.</li>
 *   <li><b>a block trailer still owed</b>: after a definite-length IEEE 488.2 block, CR LF, LF or CR is the
 *       block's trailer however late it comes (the block framer settles it before any other framer runs).</li>
 *   <li><b>the head of the reply line</b>: requests written and expecting a reply, in write order. The head is
 *       live (its caller waits), a zombie (it ended early; what it is still owed is swallowed:
 *       {@link Event.Discarded} {@code LATE_REPLY}), or the resync probe.</li>
 *   <li><b>nobody</b>: the frame is pushed (by the {@link FrameClassifier}) or discarded ({@code UNEXPECTED}).</li>
 * </ol>
 *
 * <p>Replies carry no tag, so position is everything: a request that ends while still owed something keeps its place
 * as a zombie, and what happens then (who else fails, what is written, when the stream is in step again) is
 * {@link StaleReplies}'s, the one way a written request ends early ({@link StaleReplies#endEarly}). This class frames
 * the bytes, matches each frame to the head of the line, and keeps the line, the echoes and the pipelined window. What
 * an echo that came back means is {@link EchoOutcomes}'s; the line's deadlines are {@link LineTimers}'s.
 */
final class ReplyMatcher {
    final ArrayDeque<Exchange> inFlight = new ArrayDeque<>();
    final EchoCheck echo = new EchoCheck();
    /** What an echo that came back means for its request and the line; {@link #echo} reports to it. */
    private final EchoOutcomes echoOutcomes;
    private final EchoSuspicion echoSuspicion;
    private final LateBlockTrailers trailers = new LateBlockTrailers();
    /** What the stale-reply policy does with the zombies of this line; made with the matcher, shared with the connection. */
    final StaleReplies stale;

    private final Connection owner;
    private final ConnectionConfig config;
    private final ConnectionEvents events;
    private final ReplyFilter filter;
    private final Framer baseFramer;
    private final BlockFramer blockFramer;
    final InputBuffer input = new InputBuffer(1024);
    private Framer current;
    private Framer bytesFramer;
    private long writeSeq;
    final PipelineWindow window;

    ReplyMatcher(Connection owner, ConnectionConfig config, ConnectionEvents events, ReplyFilter filter) {
        this.owner = owner;
        this.stale = new StaleReplies(owner, this, config);
        this.echoOutcomes = new EchoOutcomes(owner, this, config);
        this.config = config;
        this.events = events;
        this.filter = filter;
        this.baseFramer = config.framing().newFramer(config.maxFrameLength());
        this.blockFramer = newBlockFramer(config.maxFrameLength());
        this.current = baseFramer;
        this.window = new PipelineWindow(config);
        this.echoSuspicion = new EchoSuspicion(config, baseFramer instanceof dev.labwire.core.frame.LineFramer);
    }

    /** Indefinite blocks end at NL (IEEE 488.2 8.7.10); a definite block's trailer is any end of line. */
    private static BlockFramer newBlockFramer(int max) {
        return BlockFramer.scpi(max);
    }

    // ------------------------------------------------------------------ bytes in

    /**
     * Takes all of {@code data}, framing as it goes, dropping what comes while not reading. While no unfinished frame
     * is held, a heap buffer is read in place ({@link InputBuffer#borrow}): each frame is copied once, into itself,
     * and only an unfinished frame's bytes are kept when this returns. Otherwise bytes are appended a few at a time
     * (at most {@code chunk}, doubling from {@value #FIRST_STEP}) until the held frame is cut; what is left of
     * them is given back ({@link InputBuffer#unappend}) and read in place. A direct buffer is appended in chunks.
     */
    void receive(ByteBuffer data, int chunk, long nowNanos) {
        windowHanded = null;
        stale.setNow(nowNanos);
        int step = Math.min(FIRST_STEP, chunk);
        while (data.hasRemaining()) {
            if (!owner.reading()) {
                data.position(data.limit());
                return;
            }
            if (echo.pending()) {
                if (LateBlockTrailers.trailerBeforeEcho(data, current, echo, input)) {
                    continue;
                }
                echo.consume(data, echoOutcomes);
                continue;
            }
            arriving(nowNanos);
            baseFramer.receiving(input, nowNanos);
            if (input.isEmpty() && input.borrow(data)) {
                try {
                    decode(false);
                } finally {
                    input.endBorrow(); // nothing refers to the driver's buffer after this
                }
                continue;
            }
            boolean held = !input.isEmpty();
            int n = input.append(data, held ? step : chunk);
            decode(false);
            if (held) {
                input.unappend(data, n);
                step = Math.min(step * 2, chunk);
            }
        }
    }

    /** The first append while an unfinished frame is held; doubled at each further append of the same receive. */
    private static final int FIRST_STEP = 256;

    // the window handed out by receiveWindow and not yet accounted for: the framer it came from and its first place
    private ByteBuffer windowHanded;
    private int windowFrom;
    private int windowTo;
    private Framer windowFramer;

    /**
     * Where the next received bytes may be written by the driver: the free room of the frame that is arriving (see
     * {@link Framer#receiveWindow}), when nothing else may own them: no echo owed, no byte buffered. Null otherwise.
     */
    ByteBuffer receiveWindow() {
        windowHanded = null;
        if (!owner.reading() || echo.pending() || !input.isEmpty()) {
            return null;
        }
        ByteBuffer w = current.receiveWindow(input);
        if (w != null) {
            windowHanded = w;
            windowFrom = w.position();
            windowTo = w.limit();
            windowFramer = current;
        }
        return w;
    }

    /**
     * {@code n} bytes were written into the window last handed out. When it is still the place of the next byte (same
     * framer, nothing received since, no echo owed), the framer counts them and the frame is cut once whole; returns
     * null. Otherwise (framing restarted meanwhile: a link drop, a late reply dropped) the bytes are returned, as a
     * buffer over the window's array, for the caller to receive as any bytes read.
     */
    ByteBuffer receiveInWindow(int n, long nowNanos) {
        ByteBuffer w = windowHanded;
        if (w == null) {
            throw new IllegalStateException(n + " bytes received in a window, but no window was handed out"
                    + " (pollReceiveWindow gave null, or bytes were received since)");
        }
        if (n < 0 || n > windowTo - windowFrom) {
            throw new IllegalArgumentException(n + " bytes cannot have been written into a window of "
                    + (windowTo - windowFrom) + " bytes");
        }
        if (n == 0) {
            return null; // the window stays handed out
        }
        windowHanded = null;
        if (owner.reading() && !echo.pending() && input.isEmpty() && current == windowFramer
                && current.receivedInWindow(w, n)) {
            stale.setNow(nowNanos);
            arriving(nowNanos);
            baseFramer.receiving(input, nowNanos);
            decode(false);
            return null;
        }
        return ByteBuffer.wrap(w.array(), w.arrayOffset() + windowFrom, n);
    }

    /** True while bytes of an unfinished frame are held. */
    boolean holdsUnfinishedFrame() {
        return !input.isEmpty();
    }

    void receiveEof() {
        if (owner.reading()) {
            decode(true);
        }
        input.clear();
    }

    /** Forgets buffered bytes, framer state, owed echoes and the reply line (the caller has ended its requests). */
    void reset() {
        restartFraming();
        echo.clear();
        for (Exchange e : inFlight) {
            e.inLine = false;
        }
        inFlight.clear();
        window.reset();
        stale.clearZombies();
    }

    /**
     * Drops the bytes of an unfinished frame while nothing is owed (no reply, no echo, not even to a zombie): the
     * broken-off end of a late answer, which would otherwise become the start of the next reply. Reported as
     * {@link Event.DiscardReason#LATE_REPLY}. Does nothing while anything is awaited.
     */
    void dropUnowedPartialFrame() {
        if (awaited() != null) {
            return;
        }
        int n = input.readableBytes();
        if (n > 0) {
            events.add(new Event.Discarded(Frame.of(input.take(n)), Event.DiscardReason.LATE_REPLY));
        }
        restartFraming();
    }

    private void restartFraming() {
        trailers.reset();
        input.clear();
        baseFramer.reset();
        blockFramer.reset();
        current = baseFramer;
        bytesFramer = null;
    }

    /** The framer that cuts the next bytes. */
    Framer currentFramer() {
        return current;
    }

    int bufferedBytes() {
        return input.readableBytes();
    }

    /**
     * Nothing written is awaited (no reply, echo, late reply or probe), the window holds nothing and no partial frame is
     * held: a frame received now can only be pushed or unexpected, and no write or deadline depends on this matcher.
     */
    boolean idle() {
        return inFlight.isEmpty() && !echo.pending() && window.idle() && stale.probe() == null && !stale.resyncing()
                && input.readableBytes() == 0;
    }

    int bufferCapacity() {
        return input.capacity();
    }

    // ------------------------------------------------------------------ bytes out

    /**
     * The first bytes of {@code e} were handed to the driver: it counts as written. It joins the reply line, or,
     * expecting nothing, ends now with its empty {@link Event.Reply} (with echo checking on: once its echo is whole,
     * see {@link EchoOutcomes#echoDone}). With echo checking on, its echo is awaited.
     */
    void written(Exchange e) {
        e.written = true;
        e.writeSeq = ++writeSeq;
        echoSuspicion.written(e);
        byte[] p = e.request.payloadNoCopy();
        byte[] t = config.writeTerminatorNoCopy();
        boolean echoed = config.echo() == ConnectionConfig.Echo.CHECK_AND_DROP && p.length + t.length > 0;
        if (!(e.expect() instanceof Expect.None)) {
            e.inLine = true;
            inFlight.addLast(e);
        } else if (!echoed) {
            owner.end(e, new Event.Reply(e.id, e.request, List.of()));
        }
        if (echoed) {
            e.echoOwed = true;
            echo.expect(e, Transmitter.wireBytes(p, t));
        }
    }

    /** Windowed pipelining: a reply of the current window came; nothing more joins it until it resolves. */
    boolean windowClosing() {
        return window.closing();
    }

    /** The exchange the next received byte belongs to: the oldest one owed an echo, else a reply; null when none is. */
    Exchange awaited() {
        Exchange e = echo.head();
        return e != null ? e : inFlight.peekFirst();
    }

    /** Requests written and awaiting their reply (live, not zombies, not the probe), in write order. */
    List<Exchange> liveInLine() {
        List<Exchange> out = new ArrayList<>();
        for (Exchange e : inFlight) {
            if (!e.ended && e.kind != Exchange.Kind.PROBE) {
                out.add(e);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ the line

    /** Requests written and not ended: in the reply line (not zombies, not the probe) or awaiting their echo. */
    List<Exchange> onTheWire() {
        List<Exchange> out = echo.awaiting();
        window.addHeldTo(out);
        out.addAll(liveInLine());
        return out;
    }

    /**
     * Bytes arrive for the head of the line: a zombie's grace restarts, unless they are the rest of a frame already
     * known bad (being discarded to its boundary): a device streaming an endless unterminated line, or a block whose
     * header lies, would otherwise hold the link for ever.
     */
    private void arriving(long nowNanos) {
        if (!current.isDiscarding()) {
            stale.bytesArriving(inFlight.peekFirst(), nowNanos);
        }
    }

    /** Windowed pipelining: every request of the window has its reply (or ended): hand out the held replies in order. */
    void maybeResolveWindow() {
        if (!window.on() || !liveInLine().isEmpty()) {
            return;
        }
        for (Exchange x : window.resolve()) {
            owner.endWithReply(x);
        }
    }

    void removeFromLine(Exchange e) {
        if (e.inLine) {
            inFlight.remove(e);
            e.inLine = false;
            stale.settle(e);
        }
    }

    /** Takes {@code e} out of the line and drops half-received bytes, so that the next reply starts on a clean stream. */
    void dropFromLine(Exchange e) {
        removeFromLine(e);
        restartFraming();
    }

    // ------------------------------------------------------------------ framing

    private void decode(boolean eof) {
        while (owner.reading()) {
            Exchange head = inFlight.peekFirst();
            if (head != null && head.discardOwed && !current.isDiscarding()) {
                head.discardOwed = false;
                advance(head, false);
                continue;
            }
            Framer f = framerFor(head);
            if (f != current) {
                if (!current.settle(input) && !eof) {
                    return;
                }
                f.reset();
                current = f;
            }
            FrameResult r = eof ? f.decodeAtEof(input) : f.decode(input);
            if (r instanceof Frame frame) {
                onFrame(head, frame, f == baseFramer);
            } else if (r instanceof FramingError err) {
                onFramingError(head, err);
            } else if (head != null && head.discardOwed && !current.isDiscarding()) {
                // the bad frame's rest ended with the last byte: count it now, not when (if ever) more bytes come
                continue;
            } else {
                return;
            }
        }
        input.clear();
    }

    private Framer framerFor(Exchange head) {
        if (head == null) {
            return current.isDiscarding() ? current : baseFramer;
        }
        if (current.isDiscarding()) {
            return current;
        }
        Expect x = head.expect();
        if (x instanceof Expect.Block b) {
            if (!head.blockStarted && config.classifier() != FrameClassifier.ALL_REPLIES) {
                // a pushed line may come before the block: frame it as a line until the '#' is there
                if (!current.settle(input) || input.isEmpty()) {
                    return current; // the previous reply's trailer first
                }
                if (input.get(0) != '#') {
                    return baseFramer;
                }
                head.blockStarted = true;
            }
            if (b.maxLength() == 0 || b.maxLength() == config.maxFrameLength()) {
                return blockFramer;
            }
            return current instanceof BlockFramer bf && bf.maxFrameLength() == b.maxLength() ? current : newBlockFramer(b.maxLength());
        }
        if (x instanceof Expect.Bytes n) {
            if (bytesFramer == null || bytesFramer.maxFrameLength() != n.count()) {
                bytesFramer = new FixedLengthFramer(n.count());
            }
            return bytesFramer;
        }
        return baseFramer;
    }

    private void onFrame(Exchange head, Frame frame, boolean fromBaseFraming) {
        boolean pushed = fromBaseFraming && config.classifier() != FrameClassifier.ALL_REPLIES
                && config.classifier().classify(frame) == FrameClassifier.Kind.PUSHED;
        if (trailers.isBlockTrailerAfterPushes(frame, fromBaseFraming, pushed, current)) {
            return;
        }
        if (pushed) {
            owner.pushed(frame);
            stale.pushedFrame();
            return;
        }
        if (head == null) {
            events.add(new Event.Discarded(frame, Event.DiscardReason.UNEXPECTED));
            RemoteProtocolException echoes = stale.suspect() ? null : echoSuspicion.unaskedFrame(frame);
            if (echoes != null) {
                events.add(new Event.ProtocolError(echoes));
            }
            stale.strayFrame();
            return;
        }
        Exchange probe = stale.probe();
        if (probe != null && probe.written && fromBaseFraming && (head.zombie || head == probe)
                && ((StaleReplyPolicy.Resync) config.staleReplyPolicy()).isAnswer(frame)) {
            stale.resynced(probe);
            return;
        }
        if (head.kind == Exchange.Kind.PROBE) {
            events.add(new Event.Discarded(frame, Event.DiscardReason.RESYNC));
            return;
        }
        Request echoed = !head.ended && fromBaseFraming ? echoSuspicion.echoOf(head, frame) : null;
        if (echoed != null) {
            events.add(new Event.Discarded(frame, Event.DiscardReason.UNEXPECTED));
            stale.endEarly(head, new Event.Failed(head.id, head.request, EchoSuspicion.echoed(head, echoed, frame)),
                    "got the echo of a command for its reply");
            owner.requestClose("the device echoes commands (" + head.request.shownText() + " got "
                    + (echoed == head.request ? "its own" : "an earlier command's") + " echo for its reply), so the reply stream is out of step");
            return;
        }
        if (!head.ended && fromBaseFraming && !head.usesBaseFraming()) {
            onFramingError(head, FramingError.of(FramingException.Kind.MALFORMED, "reply to " + head.request
                    + " must be an IEEE 488.2 block starting with '#' but is " + frame));
            return;
        }
        if (fromBaseFraming && !head.usesBaseFraming()) {
            events.add(new Event.Discarded(frame, Event.DiscardReason.LATE_REPLY));
            return;
        }
        if (filter.isForeign(head.id, frame)) {
            events.add(new Event.Discarded(frame, Event.DiscardReason.FOREIGN));
            return;
        }
        boolean marker = head.expect() instanceof Expect.UntilMarker u && u.isMarker(frame);
        if (head.ended) {
            if (!marker) {
                events.add(new Event.Discarded(frame, Event.DiscardReason.LATE_REPLY));
            }
        } else if (!marker) {
            head.add(frame);
        }
        if (!head.ended) {
            window.replyStarted();
        }
        if (advance(head, marker) && !head.ended) {
            if (window.on()) {
                window.hold(head);
                maybeResolveWindow();
            } else {
                owner.endWithReply(head);
            }
        }
    }

    /** Counts one frame (or framing error) of {@code head}'s reply; takes it out of the line when whole. */
    private boolean advance(Exchange head, boolean marker) {
        Expect x = head.expect();
        boolean done;
        if (x instanceof Expect.Frames n) {
            done = ++head.received >= n.count();
        } else if (x instanceof Expect.UntilMarker u) {
            done = marker;
            if (!marker && ++head.received > u.maxFrames() && !head.ended) {
                stale.endEarly(head, new Event.Failed(head.id, head.request, new RemoteProtocolException(
                        "more than " + u.maxFrames() + " frames before the end marker of " + head.request)),
                        "got more than " + u.maxFrames() + " frames before its end marker");
                return false;
            }
        } else {
            done = true;
        }
        if (done) {
            removeFromLine(head);
        }
        return done;
    }

    private void onFramingError(Exchange head, FramingError err) {
        if (head == null || head.ended || head.kind == Exchange.Kind.PROBE) {
            events.add(new Event.ProtocolError(err.exception()));
            if (head != null && head.ended) {
                countError(head);
            }
            return;
        }
        boolean whole = countError(head);
        if (whole && window.on()) {
            stale.endEarly(head, new Event.Failed(head.id, head.request, err.exception()), "got a bad reply");
        } else if (whole) {
            owner.end(head, new Event.Failed(head.id, head.request, err.exception()));
        } else {
            stale.endEarly(head, new Event.Failed(head.id, head.request, err.exception()), "failed on a bad reply whose rest is still owed");
        }
    }

    /** A framing error counts as one frame of {@code head}, once the framer has discarded the bad frame's rest. */
    private boolean countError(Exchange head) {
        if (current.isDiscarding()) {
            head.discardOwed = true;
            return false;
        }
        return advance(head, false);
    }
}
