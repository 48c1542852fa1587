package dev.labwire.core;

import dev.labwire.core.frame.BlockFramer;
import dev.labwire.core.frame.FixedLengthFramer;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.Framer;
import dev.labwire.core.frame.FramingError;
import dev.labwire.core.frame.FramingException;
import dev.labwire.core.frame.InputBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The data path of a {@link Connection}: the input buffer, the framers, and the reply line.
 *
 * <p>Theory of operation. Requests written to the wire sit in {@link #inFlight} in write order. Bytes
 * are framed by the framer the head of that line needs (the connection's framing, a block framer, a
 * fixed-length framer); each frame is classified (pushed, or part of the head's reply) and counted
 * against the head's {@link Expect}. When the head is whole it leaves the line. A head that already
 * ended (timed out, failed on a bad frame) stays as a zombie until its owed frames have passed, so
 * that they are swallowed and never reach the next request. A framing error counts as one frame of
 * the head: the framer has already discarded that frame to its boundary. With half-duplex echo on, the
 * {@link EchoCheck} takes the echo of every write off the byte stream before anything is framed.
 */
final class ReplyMatcher {
    final ArrayDeque<Exchange> inFlight = new ArrayDeque<>();
    final EchoCheck echo = new EchoCheck();
    int zombies;

    private final Connection owner;
    private final ConnectionConfig config;
    private final ArrayDeque<Event> events;
    private final Framer baseFramer;
    private final BlockFramer blockFramer;
    private final InputBuffer input = new InputBuffer(1024);
    private Framer current;
    private Framer bytesFramer;

    ReplyMatcher(Connection owner, ConnectionConfig config, ArrayDeque<Event> events) {
        this.owner = owner;
        this.config = config;
        this.events = events;
        this.baseFramer = config.framing().newFramer(config.maxFrameLength());
        this.blockFramer = newBlockFramer(config.maxFrameLength());
        this.current = baseFramer;
    }

    private BlockFramer newBlockFramer(int max) {
        byte[] t = config.writeTerminatorNoCopy();
        return new BlockFramer(t.length == 0 ? new byte[] {'\n'} : t, max, BlockFramer.TrailingTerminator.OPTIONAL);
    }

    /** Takes all of {@code data} in chunks, framing after each, dropping what comes while not reading. */
    void receive(ByteBuffer data, int chunk) {
        while (data.hasRemaining()) {
            if (!owner.reading()) {
                data.position(data.limit());
                return;
            }
            if (echo.pending()) {
                echo.consume(data, owner);
                continue;
            }
            input.append(data, chunk);
            decode(false);
        }
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
        inFlight.clear();
        zombies = 0;
    }

    private void restartFraming() {
        input.clear();
        baseFramer.reset();
        blockFramer.reset();
        current = baseFramer;
        bytesFramer = null;
    }

    /**
     * Frees the slot of {@code e}, which ended and whose late reply is no longer awaited
     * ({@link StaleReplyPolicy.ReleaseAfter}); half-received bytes are dropped so that the next reply
     * starts on a clean stream. Its echo, if still owed (it was damaged), is still dropped as it comes.
     */
    void release(Exchange e) {
        if (inFlight.remove(e)) {
            if (e.zombie) {
                zombies--;
            }
            restartFraming();
        }
    }

    int bufferedBytes() {
        return input.readableBytes();
    }

    int bufferCapacity() {
        return input.capacity();
    }

    /**
     * The earliest deadline in the reply line (a zombie's grace, a live request's timeout) and of the
     * writes awaiting their echo. With {@code monotonic} deadlines only the first live request can be
     * the earliest, so the scan stops once it and every zombie were seen.
     */
    long earliestDeadline(boolean monotonic) {
        long t = echo.earliestAwaitingDeadline();
        if (monotonic && zombies == 0) { // the common case, without an iterator: the head is the earliest
            Exchange head = inFlight.peekFirst();
            return head == null ? t : Math.min(t, head.deadline);
        }
        int zombiesSeen = 0;
        boolean live = false;
        for (Exchange e : inFlight) {
            if (e.zombie) {
                t = Math.min(t, e.graceDeadline);
                zombiesSeen++;
            } else if (!live || !monotonic) {
                t = Math.min(t, e.deadline);
                live = true;
            }
            if (live && monotonic && zombiesSeen == zombies) {
                break;
            }
        }
        return t;
    }

    /** Requests written and not ended: in the reply line (not zombies, not the probe) or awaiting their echo. */
    java.util.List<Exchange> onTheWire() {
        java.util.List<Exchange> out = echo.awaiting();
        for (Exchange e : inFlight) {
            if (!e.zombie && e.kind != Exchange.Kind.PROBE) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * The timer part of the reply line: every live request whose deadline has passed at {@code now} (written, in
     * the line or awaiting its echo) ends with a written {@link Event.Timeout} and, if it was in the line, stays
     * there as a zombie by the stale-reply policy; an unanswered resync probe, or a zombie whose grace ended under
     * a policy that does not release it, closes the link.
     */
    void expire(long now) {
        if (echo.pending()) {
            for (Exchange e : echo.awaiting()) {
                if (e.deadline <= now) {
                    echo.forget(e);
                    owner.end(e, new Event.Timeout(e.id, e.request, true));
                }
            }
        }
        boolean release = config.staleReplyPolicy() instanceof StaleReplyPolicy.ReleaseAfter;
        for (Iterator<Exchange> it = inFlight.iterator(); it.hasNext(); ) {
            Exchange e = it.next();
            if (e.zombie) {
                if (e.graceDeadline <= now && !release) {
                    owner.requestClose("the late reply to timed-out " + e + " did not come within the grace period");
                }
                continue;
            }
            if (e.deadline > now) {
                continue;
            }
            echo.forget(e);
            if (e.kind == Exchange.Kind.PROBE) {
                it.remove();
                owner.probeLost("resync probe " + e.request.text() + " was not answered in time");
                continue;
            }
            owner.end(e, new Event.Timeout(e.id, e.request, true));
            owner.onStale(e, now, "timed out after being written");
        }
    }

    /** Under {@link StaleReplyPolicy.ReleaseAfter}, frees the slots whose late reply is no longer awaited. */
    void releaseDue(long now) {
        if (config.staleReplyPolicy() instanceof StaleReplyPolicy.ReleaseAfter) {
            for (Exchange e : inFlight.toArray(new Exchange[0])) {
                if (e.zombie && e.graceDeadline <= now) {
                    release(e);
                }
            }
        }
    }

    /**
     * The first bytes of {@code e} were handed to the driver: it counts as written. It joins the reply line, or,
     * expecting nothing, ends now with its empty {@link Event.Reply} (with echo checking on: once its echo is whole,
     * see {@link Connection#echoDone}). With echo checking on, its echo is awaited.
     */
    void written(Exchange e) {
        e.written = true;
        byte[] p = e.request.payloadNoCopy();
        byte[] t = config.writeTerminatorNoCopy();
        boolean echoed = config.echo() == ConnectionConfig.Echo.CHECK_AND_DROP && p.length + t.length > 0;
        if (!(e.expect() instanceof Expect.None)) {
            inFlight.addLast(e);
        } else if (!echoed) {
            owner.end(e, new Event.Reply(e.id, e.request, java.util.List.of()));
        }
        if (echoed) {
            echo.expect(e, Transmitter.wireBytes(p, t));
        }
    }

    void zombify(Exchange e, long graceDeadline) {
        e.becomeZombie(graceDeadline);
        zombies++;
    }

    private void decode(boolean eof) {
        while (owner.reading()) {
            Exchange head = inFlight.peekFirst();
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
                    return current; // the previous reply's trailing terminator first
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
        boolean pushed = fromBaseFraming && config.classifier().classify(frame) == FrameClassifier.Kind.PUSHED;
        if (pushed) {
            events.add(new Event.Pushed(frame));
            return;
        }
        if (head != null && fromBaseFraming && !head.usesBaseFraming() && !head.zombie && head.kind != Exchange.Kind.PROBE) {
            onFramingError(head, FramingError.of(FramingException.Kind.MALFORMED, "reply to " + head.request
                    + " must be an IEEE 488.2 block starting with '#' but is " + frame));
            return;
        }
        if (head == null || (fromBaseFraming && !head.usesBaseFraming())) {
            events.add(new Event.Discarded(frame, Event.DiscardReason.UNEXPECTED));
            return;
        }
        if (head.kind == Exchange.Kind.PROBE) {
            if (((StaleReplyPolicy.Resync) config.staleReplyPolicy()).isAnswer(frame)) {
                inFlight.pollFirst();
                owner.resynced();
            } else {
                events.add(new Event.Discarded(frame, Event.DiscardReason.RESYNC));
            }
            return;
        }
        boolean marker = head.expect() instanceof Expect.UntilMarker u && u.isMarker(frame);
        if (head.zombie) {
            if (!marker) {
                events.add(new Event.Discarded(frame, Event.DiscardReason.LATE_REPLY));
            }
        } else if (!marker) {
            head.add(frame);
        }
        if (advance(head, marker) && !head.zombie) {
            owner.end(head, new Event.Reply(head.id, head.request, head.frames()));
        }
    }

    /** Counts one frame (or framing error) of {@code head}'s reply; removes it from the line when whole. */
    private boolean advance(Exchange head, boolean marker) {
        Expect x = head.expect();
        boolean done;
        if (x instanceof Expect.Frames n) {
            done = ++head.received >= n.count();
        } else if (x instanceof Expect.UntilMarker u) {
            done = marker;
            if (!marker && ++head.received > u.maxFrames() && !head.zombie) {
                owner.end(head, new Event.Failed(head.id, head.request, new RemoteProtocolException(
                        "more than " + u.maxFrames() + " frames before the end marker of " + head.request)));
                zombify(head, Exchange.NO_DEADLINE);
                return false;
            }
        } else {
            done = true;
        }
        if (done) {
            inFlight.remove(head);
            if (head.zombie) {
                zombies--;
            }
        }
        return done;
    }

    private void onFramingError(Exchange head, FramingError err) {
        if (head == null || head.zombie || head.kind == Exchange.Kind.PROBE) {
            events.add(new Event.ProtocolError(err.exception()));
            if (head != null && head.zombie) {
                advance(head, false);
            }
            return;
        }
        boolean whole = advance(head, false);
        owner.end(head, new Event.Failed(head.id, head.request, err.exception()));
        if (!whole) {
            zombify(head, Exchange.NO_DEADLINE);
        }
    }
}
