package dev.labwire.core;

import dev.labwire.core.frame.Frame;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link Connection} tells its driver, one at a time from {@link Connection#nextEvent()}.
 * Every request ends with exactly one of {@link Reply}, {@link Timeout} or {@link Failed}, carrying the
 * id {@link Connection#send} returned. {@link OpenLink} and {@link CloseLink} are orders to the driver.
 *
 * <pre>{@code
 * for (Event e = conn.nextEvent(); e != Event.NeedData.INSTANCE; e = conn.nextEvent()) {
 *     if (e instanceof Event.Reply r) complete(r.id(), r.frames());
 *     else if (e instanceof Event.Timeout t) timeOut(t.id());
 *     else if (e instanceof Event.Failed f) fail(f.id(), f.cause());
 *     else if (e instanceof Event.Pushed p) stream(p.frame());
 *     else if (e instanceof Event.OpenLink o) startConnecting();
 *     else if (e instanceof Event.CloseLink c) closeSocket(c.reason());
 * }
 * }</pre>
 */
public sealed interface Event {

    /** No event now; the driver waits for input or the timer. */
    enum NeedData implements Event {
        /** The only value. */
        INSTANCE
    }

    /**
     * A request got its whole reply.
     *
     * @param id      the id {@code send} returned
     * @param request the request
     * @param frames  the reply's frames, in order; empty for {@link Expect#nothing()}
     */
    record Reply(long id, Request request, List<Frame> frames) implements Event {
        public Reply {
            Objects.requireNonNull(request, "request");
            frames = List.copyOf(frames);
        }

        /** The first frame; for one-frame replies, the reply. */
        public Frame frame() {
            if (frames.isEmpty()) {
                throw new IllegalStateException("reply to " + request + " has no frames");
            }
            return frames.get(0);
        }

        /** The first frame as ISO-8859-1 text. */
        public String text() {
            return frame().asString();
        }
    }

    /**
     * A request's timeout passed before its reply was whole.
     *
     * @param id      the id {@code send} returned
     * @param request the request
     * @param written true when its bytes had been handed to the driver (the device may still answer;
     *                the connection's {@link StaleReplyPolicy} deals with that)
     * @param detail  what the request waited for, for the caller's message: for a request never written, what
     *                held the link (the request in flight, a timed-out request whose late reply is owed and the
     *                policy, the link being down); for a written one, how much of the reply came. Null when
     *                there is nothing to add.
     */
    record Timeout(long id, Request request, boolean written, String detail) implements Event {
        public Timeout {
            Objects.requireNonNull(request, "request");
        }

        /** A timeout without detail. */
        public Timeout(long id, Request request, boolean written) {
            this(id, request, written, null);
        }

        /** Equal to another timeout of the same request, written or not alike; the detail is only for messages. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Timeout t && t.id == id && t.written == written && t.request.equals(request);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(id) * 31 + request.hashCode() + (written ? 1 : 0);
        }
    }

    /**
     * A request ended without a reply: the reply broke the protocol ({@link RemoteProtocolException}),
     * the link went down (the driver's cause), or the connection was closed ({@link LocalProtocolException}).
     *
     * @param id      the id {@code send} returned
     * @param request the request
     * @param cause   why
     */
    record Failed(long id, Request request, Throwable cause) implements Event {
        public Failed {
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(cause, "cause");
        }
    }

    /**
     * The device pushed a frame that the {@link FrameClassifier} says answers no request.
     *
     * @param frame the frame
     */
    record Pushed(Frame frame) implements Event {
        public Pushed {
            Objects.requireNonNull(frame, "frame");
        }
    }

    /** Why a frame was discarded. */
    enum DiscardReason {
        /** Part of the reply to a request that had already timed out. */
        LATE_REPLY,
        /** Received while resynchronising, before the probe's answer. */
        RESYNC,
        /** A reply-kind frame when no request awaited one. */
        UNEXPECTED,
        /** A frame that names another device than the one whose reply is awaited (an addressed bus). */
        FOREIGN
    }

    /**
     * A frame that was thrown away; nothing else happened because of it.
     *
     * @param frame  the frame
     * @param reason why
     */
    record Discarded(Frame frame, DiscardReason reason) implements Event {
        public Discarded {
            Objects.requireNonNull(frame, "frame");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Bytes that broke the framing and belonged to no live request (garbage between replies, a bad
     * pushed frame, the rest of a late reply). The framer has recovered; the connection stays usable.
     *
     * @param error what was wrong
     */
    record ProtocolError(RemoteProtocolException error) implements Event {
        public ProtocolError {
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * Order: open the link now. Answer with {@link Connection#linkUp} or {@link Connection#linkFailed}.
     *
     * @param attempt 1 for the first attempt after {@code open} or after a loss, counting up while attempts fail
     */
    record OpenLink(int attempt) implements Event {
    }

    /**
     * Order: close the link (the hook failed, a stale-reply policy asked for a fresh link, or the
     * connection was closed). Then call {@link Connection#linkDown}; after {@code close} that is optional.
     *
     * @param reason why, for logs and for the failures of requests still in flight
     */
    record CloseLink(String reason) implements Event {
        public CloseLink {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The instrument requests service (IEEE 488.1 SRQ): VXI-11's interrupt channel or HiSLIP's AsyncServiceRequest
     * said so, or, on a raw SCPI link with {@link ConnectionConfig#serviceRequestPolling()}, a poll found the status
     * byte's MSS bit (6) newly set.
     *
     * @param statusByte the status byte (0..255) read with it
     */
    record ServiceRequest(int statusByte) implements Event {
        public ServiceRequest {
            if (statusByte < 0 || statusByte > 255) {
                throw new IllegalArgumentException("status byte " + statusByte + " is out of range 0..255");
            }
        }
    }

    /**
     * The serial port behind an RFC 2217 terminal server reported its line or modem state (NOTIFY-LINESTATE,
     * NOTIFY-MODEMSTATE, RFC 2217 section 4): each event carries the latest of both, -1 for one not reported yet on
     * this link. Bits as RFC 2217 (those of a 16550 UART's LSR and MSR). Which changes the server reports is its
     * mask: labwire asks for the error bits of the line state (break, framing, parity, overrun) and leaves the modem
     * mask at the server's default. Only {@code rfc2217://} links give it; both clients hand it to their {@code onPortState} listeners
     * and log it at DEBUG.
     *
     * <pre>
     * lineState:  bit 7 time-out error, 6 transfer shift register empty, 5 transfer holding register empty,
     *             4 break detected, 3 framing error, 2 parity error, 1 overrun error, 0 data ready
     * modemState: bit 7 carrier detect (DCD), 6 ring indicator, 5 data set ready (DSR), 4 clear to send (CTS),
     *             3 delta DCD, 2 trailing edge ring, 1 delta DSR, 0 delta CTS
     * </pre>
     *
     * @param lineState  0..255, or -1
     * @param modemState 0..255, or -1
     */
    record PortState(int lineState, int modemState) implements Event {
        public PortState {
            if (lineState < -1 || lineState > 255 || modemState < -1 || modemState > 255) {
                throw new IllegalArgumentException("line state " + lineState + " or modem state " + modemState
                        + " is out of range -1..255");
            }
        }

        /** Clear to send (modem state bit 4). */
        public boolean cts() {
            return bit(modemState, 4);
        }

        /** Data set ready (modem state bit 5). */
        public boolean dsr() {
            return bit(modemState, 5);
        }

        /** Ring indicator (modem state bit 6). */
        public boolean ring() {
            return bit(modemState, 6);
        }

        /** Carrier detect (modem state bit 7). */
        public boolean carrierDetect() {
            return bit(modemState, 7);
        }

        /** A break, framing, parity or overrun error (line state bits 1 to 4). */
        public boolean lineError() {
            return lineState > 0 && (lineState & 0x1E) != 0;
        }

        private static boolean bit(int value, int bit) {
            return value >= 0 && (value & (1 << bit)) != 0;
        }
    }

    /**
     * Order, for protocols that use more than one TCP connection (HiSLIP's asynchronous channel, VXI-11's portmapper
     * and abort channels): open TCP connection number {@code channel} to the link's host at {@code port}. Answer with
     * {@link LinkMachine#channelUp} or {@link LinkMachine#channelFailed}, within the configured connect timeout. A
     * channel lives until the machine orders {@link CloseChannel}, the driver reports {@link LinkMachine#channelDown},
     * or the machine is closed; a lost link does not close it. Single-stream machines ({@link Connection},
     * {@link dev.labwire.core.bus.Bus}) never order it. See docs/CHANNELS.md for the whole contract.
     *
     * @param channel the channel's number, 1 or more (0 is the link itself); not in use when ordered
     * @param port    the TCP port, 1..65535
     */
    record OpenChannel(int channel, int port) implements Event {
        public OpenChannel {
            checkChannel(channel);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("channel " + channel + ": TCP port " + port + " is out of range 1..65535");
            }
        }
    }

    /**
     * Order: listen for one TCP connection from the instrument (VXI-11's interrupt channel, over which the instrument
     * reports service requests): open a listening socket on the local address of the link's socket, any free port,
     * report it with {@link LinkMachine#channelListening}, and when the instrument connects, report
     * {@link LinkMachine#channelUp} (the listening socket then closes: one connection per order). A listening socket
     * that cannot be opened is reported with {@link LinkMachine#channelFailed}.
     *
     * @param channel the channel's number, 1 or more; not in use when ordered
     */
    record ListenChannel(int channel) implements Event {
        public ListenChannel {
            checkChannel(channel);
        }
    }

    /**
     * Order: close channel {@code channel} (or stop listening for it). No report follows; bytes it still delivers are
     * dropped by the driver.
     *
     * @param channel the channel's number, 1 or more
     * @param reason  why, for logs
     */
    record CloseChannel(int channel, String reason) implements Event {
        public CloseChannel {
            checkChannel(channel);
            Objects.requireNonNull(reason, "reason");
        }
    }

    private static void checkChannel(int channel) {
        if (channel < 1) {
            throw new IllegalArgumentException("channel " + channel + ": channels are numbered from 1 (0 is the link)");
        }
    }

    /**
     * The connection's {@link State} changed.
     *
     * @param state the new state
     * @param cause why the link went down ({@link State#DOWN}), else null
     */
    record StateChanged(State state, Throwable cause) implements Event {
        public StateChanged {
            Objects.requireNonNull(state, "state");
        }
    }
}
