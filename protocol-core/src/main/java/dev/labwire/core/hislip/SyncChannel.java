package dev.labwire.core.hislip;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.hislip.internal.DeviceClearSequence;
import dev.labwire.core.hislip.internal.MessageIds;
import dev.labwire.core.hislip.internal.ReplyCutter;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The synchronous channel of a {@link HislipSession} after the handshake (IVI-6.1 6.3, 6.12): the Data and DataEnd
 * messages both ways, and what else the server sends there. Out: a request's payload and write terminator cut into
 * messages no larger than the server's maximum message size (Data parts, then DataEnd). In: a response gathered from
 * the Data ... DataEnd that carry the awaited message id, up to {@code maxFrameLength} bytes (beyond that the rest is
 * dropped and the response marked as overflowed, so memory stays bounded whatever the server sends), then cut per the
 * request's {@link dev.labwire.core.Expect}; a stale message id's DataEnd discarded; Interrupted, Error and FatalError
 * honoured; the device clear's synchronous half (everything until DeviceClearAcknowledge is the clear's). It owns the
 * gathered bytes and the server's maximum; it is separate because assembling and routing these messages is the
 * channel's business, while the session only decides which request is in flight.
 */
final class SyncChannel {

    private final HislipSession session;
    private final ArrayDeque<Event> events;
    private final ChannelOutput out;
    private final ConnectionConfig config;
    private final ByteArrayOutputStream gathered = new ByteArrayOutputStream();
    private boolean overflow;
    private long serverMax = HislipDecoder.DEFAULT_MAX_MESSAGE_SIZE;
    private HislipDecoder in;          // the link's, null before the first

    SyncChannel(HislipSession session, ArrayDeque<Event> events, ChannelOutput out, ConnectionConfig config) {
        this.session = session;
        this.events = events;
        this.out = out;
        this.config = config;
    }

    /** Payload bytes of an oversized message the link's decoder is still skipping (unsigned), 0 when none. */
    long skipping() {
        return in == null ? 0 : in.skipping();
    }

    /** A new link: a new decoder taking messages up to {@code ours} bytes, nothing gathered. */
    void linkUp(long ours) {
        in = new HislipDecoder("sync", ours);
        reset();
    }

    /** Whether a link was ever up (before, bytes have nowhere to go). */
    boolean hasDecoder() {
        return in != null;
    }

    /** Bytes from the link; true when the session should start requests now (false: it broke). */
    boolean receive(ByteBuffer data, MessageIds ids, long nowNanos) {
        in.receive(data);
        return drain(ids, nowNanos);
    }

    /** The link's end of stream; true when the session should start requests now (false: it broke). */
    boolean receiveEof(MessageIds ids, long nowNanos) {
        in.receiveEof();
        return drain(ids, nowNanos);
    }

    private boolean drain(MessageIds ids, long nowNanos) {
        HislipDecoder decoder = in;
        for (Decoded d = decoder.next(); d != Decoded.NeedData.INSTANCE && session.linkIsUp() && decoder == in;
                d = decoder.next()) {
            if (d instanceof Decoded.Failure f) {
                if (f.fatal()) {
                    session.broken(f.exception(), f.answer(), nowNanos);
                    return false;
                }
                events.add(new Event.ProtocolError(f.exception()));
                if (session.start().ready() && decoder.oversizedHeader() != null) {
                    oversizedReply(decoder, f, ids, nowNanos);
                    return false;
                }
                out.sync(f.answer(), -1);
                continue;
            }
            HislipMessage m = ((Decoded.Message) d).message();
            if (!session.start().ready()) {
                if (!session.start().onSync(m, nowNanos)) {
                    return false;
                }
                continue;
            }
            if (!onMessage(m, ids, nowNanos)) {
                return false;
            }
        }
        return true;
    }

    /** The server's maximum message size from the handshake (at least a header and one byte). */
    void serverMaxMessageSize(long size) {
        serverMax = Math.max(HislipMessage.HEADER_LENGTH + 1, size);
    }

    /** Drops what was gathered and the overflow mark: nothing of it reaches anybody. */
    void reset() {
        gathered.reset();
        overflow = false;
    }

    /** Drops the bytes gathered so far but keeps the overflow mark (an interrupted response). */
    void dropGathered() {
        gathered.reset();
    }


    /**
     * {@code body} and {@code terminator} as Data ... DataEnd messages with the next message id from {@code ids}, none
     * larger than the server's maximum message size.
     */
    List<HislipMessage> split(byte[] body, byte[] terminator, MessageIds ids) {
        byte[] all = new byte[body.length + terminator.length];
        System.arraycopy(body, 0, all, 0, body.length);
        System.arraycopy(terminator, 0, all, body.length, terminator.length);
        int max = (int) Math.min(Integer.MAX_VALUE - 64, serverMax - HislipMessage.HEADER_LENGTH);
        List<HislipMessage> out = new ArrayList<>();
        int at = 0;
        do {
            int n = Math.min(max, all.length - at);
            boolean end = at + n == all.length;
            out.add(ids.send(end, Arrays.copyOfRange(all, at, at + n)));
            at += n;
        } while (at < all.length);
        return out;
    }

    /** One message after set-up, with message ids from {@code ids}; false when the session broke. */
    private boolean onMessage(HislipMessage m, MessageIds ids, long nowNanos) {
        DeviceClearSequence clear = session.operations().clear();
        if (clear != null && m.type() != MessageType.FATAL_ERROR) {
            try {
                if (clear.onSync(m)) {
                    if (clear.state() == DeviceClearSequence.State.DONE) {
                        session.operations().clearEnded();
                        reset();
                        PendingRequest p = session.requests().inFlight();
                        session.requests().inFlight(null);
                        session.requests().ended(p, new Event.Reply(p.id, p.request, List.of()), nowNanos);
                        return session.linkIsUp();
                    }
                    return true;
                }
            } catch (RemoteProtocolException e) {
                session.broken(e, null, nowNanos);
                return false;
            }
        }
        switch (m.type()) {
            case DATA:
            case DATA_END:
                if (ids.onData(m) == MessageIds.Verdict.DISCARD) {
                    if (m.type() == MessageType.DATA_END) {
                        events.add(new Event.Discarded(Frame.of(m.payload()), Event.DiscardReason.LATE_REPLY));
                    }
                    reset();
                    return true;
                }
                gather(m, config.maxFrameLength());
                if (m.type() == MessageType.DATA_END) {
                    replyDone(nowNanos);
                }
                return session.linkIsUp();
            case INTERRUPTED:
                ids.onInterrupted();
                dropGathered();
                return true;
            case FATAL_ERROR:
                session.broken(new RemoteProtocolException("HiSLIP server sent FatalError " + m.controlCode() + " ("
                        + FatalErrorCode.describe(m.controlCode()) + "): " + m.text()), null, nowNanos);
                return false;
            case ERROR:
                RemoteProtocolException error = new RemoteProtocolException("HiSLIP server sent Error "
                        + m.controlCode() + " (" + ErrorCode.describe(m.controlCode()) + "): " + m.text());
                events.add(new Event.ProtocolError(error));
                PendingRequest query = awaitedQuery();
                if (query != null) {
                    // IVI-6.1 6.2: the receiver of a message in error discards it, so no reply will come
                    failAwaited(query, new RemoteProtocolException(error.getMessage() + ", while " + query.request
                            + " awaited its reply: the server discards a message it reports in error, so no reply"
                            + " will come (one that still does is discarded by its message id)"), ids, nowNanos);
                }
                return session.linkIsUp();
            default:
                events.add(new Event.ProtocolError(new RemoteProtocolException("HiSLIP synchronous channel: "
                        + "unexpected " + m)));
                out.sync(HislipMessage.error(m.type() == MessageType.VENDOR_SPECIFIC
                        ? ErrorCode.UNRECOGNIZED_VENDOR_DEFINED_MESSAGE : ErrorCode.UNRECOGNIZED_MESSAGE_TYPE), -1);
                return true;
        }
    }

    /** The query whose reply is awaited now (written, not an operation, set-up over), or null. */
    private PendingRequest awaitedQuery() {
        PendingRequest p = session.requests().inFlight();
        return p != null && p.operation() == null && session.operations().clear() == null ? p : null;
    }

    /** Ends the awaited query {@code p} with {@code e} now; its id is abandoned so a reply that still comes is dropped. */
    private void failAwaited(PendingRequest p, RemoteProtocolException e, MessageIds ids, long nowNanos) {
        session.requests().inFlight(null);
        ids.abandon();
        reset();
        session.requests().ended(p, new Event.Failed(p.id, p.request, e), nowNanos);
    }

    /**
     * A message larger than the maximum message size the server was given came (the decoder skips its payload). When
     * it carries the awaited query's message id, that reply is lost: the query fails now instead of at its deadline.
     * The server broke the size it agreed to, and its length field may lie (a device that will never send that many
     * bytes): the session is made again at once, after the Error "Message too large" answer is written, so the next
     * query is not stuck behind the skip. Always, not only when more of the message is still to come: what has
     * arrived by then depends on how the bytes were cut into reads, and the outcome must not.
     */
    private void oversizedReply(HislipDecoder decoder, Decoded.Failure f, MessageIds ids, long nowNanos) {
        HislipMessage h = decoder.oversizedHeader();
        PendingRequest query = awaitedQuery();
        RemoteProtocolException e = f.exception();
        if (query != null && (h.type() == MessageType.DATA || h.type() == MessageType.DATA_END) && ids.awaits(h.messageId())) {
            failAwaited(query, new RemoteProtocolException(e.getMessage() + "; it was the reply to " + query.request),
                    ids, nowNanos);
        }
        session.broken(new RemoteProtocolException(e.getMessage() + ", more than the maximum message size the server"
                + " was given: the session is made again"), f.answer(), nowNanos);
    }

    /** Adds {@code m}'s payload to the response, or marks it overflowed when it would pass {@code maxFrameLength}. */
    private void gather(HislipMessage m, int maxFrameLength) {
        if (gathered.size() + m.payloadLength() > maxFrameLength) {
            overflow = true;
            gathered.reset();
        } else if (!overflow) {
            gathered.writeBytes(m.payload());
        }
    }

    /** DataEnd came: the gathered response is the reply of the query in flight, or nobody's. */
    private void replyDone(long nowNanos) {
        byte[] response = gathered.toByteArray();
        boolean overflowed = overflow;
        reset();
        PendingRequest p = session.requests().inFlight();
        if (p == null || p.operation() != null) {
            events.add(new Event.Discarded(Frame.of(response), Event.DiscardReason.UNEXPECTED));
            return;
        }
        session.requests().inFlight(null);
        if (overflowed) {
            RemoteProtocolException e = new RemoteProtocolException("HiSLIP response longer than maxFrameLength "
                    + config.maxFrameLength());
            events.add(new Event.ProtocolError(e));
            session.requests().ended(p, new Event.Failed(p.id, p.request, e), nowNanos);
            return;
        }
        try {
            List<Frame> frames = ReplyCutter.cut(response, p.request.expect(), config.maxFrameLength());
            session.requests().ended(p, new Event.Reply(p.id, p.request, frames), nowNanos);
        } catch (RemoteProtocolException e) {
            events.add(new Event.ProtocolError(e));
            session.requests().ended(p, new Event.Failed(p.id, p.request, e), nowNanos);
        }
    }
}
