package dev.labwire.core.hislip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.frame.Frame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link HislipSession} and a HiSLIP server played by hand, on a virtual clock (nanos as longs): no I/O, no threads,
 * no sleeping. The server's bytes go in with {@link #fromServer}; what the client wrote comes out of {@link #written};
 * time moves only by {@link #advanceTo}, which runs the session's timers that are due. Every event is kept, in order,
 * as a short line ({@link #show}) so that runs over every chunking of a fixture compare as lists of strings.
 */
final class HislipPair {

    static final long MS = 1_000_000L;

    final HislipSession session;
    private long now = 1_000 * MS;
    private HislipDecoder fromClientSync;
    private HislipDecoder fromClientAsync;
    private final List<String> log = new ArrayList<>();
    private int readyAt;               // events in the log when ready() returned

    HislipPair(ConnectionConfig config) {
        session = new HislipSession(config, new HislipSession.Endpoint(4880, "hislip0"));
    }

    /** A pair whose session has done the handshake (server maximum message size 1 MiB) and is READY. */
    static HislipPair ready(ConnectionConfig config) {
        HislipPair p = new HislipPair(config);
        p.session.open(p.now);
        p.handshake();
        p.readyAt = p.log().size();
        return p;
    }

    long now() {
        return now;
    }

    /** Answers the OpenLink just ordered: the link comes up and the server plays its half of the handshake. */
    void handshake() {
        assertThat(events()).anyMatch(e -> e.startsWith("OpenLink"));
        fromClientSync = new HislipDecoder("server sync");
        fromClientAsync = new HislipDecoder("server async");
        session.linkUp(now);
        assertThat(written()).extracting(HislipMessage::type).containsExactly(MessageType.INITIALIZE);
        fromServer(HislipMessage.initializeResponse(false, HislipMessage.VERSION_1_0, 7));
        session.channelUp(1, now);
        session.receive(1, ByteBuffer.wrap(HislipMessage.asyncInitializeResponse("XY").encode()), now);
        session.receive(1, ByteBuffer.wrap(HislipMessage.asyncMaximumMessageSizeResponse(1 << 20).encode()), now);
        drain(fromClientAsync, 1);
        assertThat(events()).contains("StateChanged READY");
        assertThat(session.state()).isEqualTo(State.READY);
    }

    long send(Request r) {
        return session.send(r, now);
    }

    void fromServer(byte[] chunk) {
        session.receive(ByteBuffer.wrap(chunk), now);
    }

    void fromServer(HislipMessage m) {
        fromServer(m.encode());
    }

    /** Moves the clock to {@code at} (never back) and runs every timer due by then, as a driver would. */
    void advanceTo(long at) {
        assertThat(at).as("the virtual clock never goes back").isGreaterThanOrEqualTo(now);
        now = at;
        while (session.pollTimeout().isPresent() && session.pollTimeout().getAsLong() <= now) {
            long before = session.pollTimeout().getAsLong();
            session.handleTimeout(now);
            if (session.pollTimeout().isPresent() && session.pollTimeout().getAsLong() == before) {
                break;
            }
        }
    }

    /** The messages the client wrote on the synchronous channel since the last call, pulled in 7-byte pieces. */
    List<HislipMessage> written() {
        return drain(fromClientSync, 0);
    }

    private List<HislipMessage> drain(HislipDecoder d, int channel) {
        ByteBuffer dst = ByteBuffer.allocate(7);
        while ((channel == 0 ? session.pollTransmit(dst) : session.pollTransmit(channel, dst)) > 0) {
            dst.flip();
            d.receive(dst);
            dst.clear();
        }
        List<HislipMessage> out = new ArrayList<>();
        for (Decoded r = d.next(); r instanceof Decoded.Message m; r = d.next()) {
            out.add(m.message());
        }
        return out;
    }

    /** The events since the last call, each as {@link #show} gives it; all of them are also kept for {@link #log}. */
    List<String> events() {
        List<String> out = new ArrayList<>();
        for (Event e = session.nextEvent(); e != Event.NeedData.INSTANCE; e = session.nextEvent()) {
            out.add(show(e));
        }
        log.addAll(out);
        return out;
    }

    /** Every event so far, in order (drains the pending ones first). */
    List<String> log() {
        events();
        return log;
    }

    /** Every event since {@link #ready} returned, in order (drains the pending ones first). */
    List<String> sinceReady() {
        return log().subList(readyAt, log.size());
    }

    /** An event as one line: its kind, the request's id, and the text a caller would see. */
    static String show(Event e) {
        if (e instanceof Event.Reply r) {
            return "Reply #" + r.id() + " " + r.text();
        } else if (e instanceof Event.Failed f) {
            return "Failed #" + f.id() + " " + f.cause().getClass().getSimpleName() + ": " + f.cause().getMessage();
        } else if (e instanceof Event.Timeout t) {
            return "Timeout #" + t.id() + (t.written() ? " written: " : " not written: ") + t.detail();
        } else if (e instanceof Event.Discarded d) {
            return "Discarded " + d.reason() + " " + text(d.frame());
        } else if (e instanceof Event.ProtocolError p) {
            return "ProtocolError " + p.error().getMessage();
        } else if (e instanceof Event.StateChanged s) {
            return "StateChanged " + s.state();
        } else if (e instanceof Event.CloseLink c) {
            return "CloseLink";
        } else if (e instanceof Event.CloseChannel c) {
            return "CloseChannel " + c.channel();
        }
        return e.toString();
    }

    private static String text(Frame f) {
        return new String(f.toByteArray(), StandardCharsets.ISO_8859_1);
    }
}
