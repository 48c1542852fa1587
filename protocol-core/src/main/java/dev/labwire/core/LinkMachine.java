package dev.labwire.core;

import java.nio.ByteBuffer;
import java.util.OptionalLong;

/**
 * The driver-facing side of a Sans-IO protocol machine: what a driver feeds in (link changes, received bytes,
 * the clock) and takes out (bytes to transmit, the next deadline, events). {@link Connection} (one device on a
 * link) and {@link dev.labwire.core.bus.Bus} (addressed devices sharing a link) both implement it, so one driver
 * loop runs either; only submitting requests differs.
 *
 * <p>A driver calls every method from one thread at a time (or under one lock), passes a monotonic
 * {@code nowNanos} ({@link System#nanoTime()}), and after each input drains {@link #pollTransmit()} (or
 * {@link #pollTransmit(ByteBuffer)}) and {@link #nextEvent()} (or {@link #nextEvent(EventSink)}) and re-arms its timer from {@link #pollTimeout()}. Misuse (e.g. {@code linkUp} while no link
 * was asked for) throws {@link LocalProtocolException}.
 */
public interface LinkMachine {

    /** The lifecycle state. */
    State state();

    /** Starts: the machine asks for a link ({@link Event.OpenLink}). */
    void open(long nowNanos);

    /** The link asked for is up. */
    void linkUp(long nowNanos);

    /** The link asked for could not be opened; the machine backs off and asks again. */
    void linkFailed(Throwable cause, long nowNanos);

    /** The live link dropped. */
    void linkDown(Throwable cause, long nowNanos);

    /** Ends everything; every pending request fails. Idempotent. */
    void close(long nowNanos);

    /** Bytes read from the link (consumed from position to limit). */
    void receive(ByteBuffer data, long nowNanos);

    /**
     * A hint for drivers, about the latest {@link #receive(ByteBuffer, long)}: true when it did nothing but queue pushed
     * frames (a streaming device's samples while nothing is awaited), so {@link #pollTransmit(ByteBuffer)} and
     * {@link #pollTimeoutNanos()} would give what they gave before it. A driver that drained both after its previous
     * input may then skip them and only hand out the events; anything else it feeds in (a request, a timer, a link
     * change) needs the whole drain again. It speaks of the latest receive only, and says false when unsure; this
     * default always does.
     */
    default boolean receivedOnlyPushed() {
        return false;
    }

    /**
     * Where the driver may read the next bytes from its link itself, so that they land in place with no copy: a heap
     * buffer over the free room of the frame now arriving (a large IEEE 488.2 block), from its position (the place of
     * the next byte) to its limit (at most the frame's last byte: what follows the frame is never read into it).
     * Null when there is no such room now: the driver reads into its own buffer and calls {@link #receive}. The
     * machine does no I/O: it only hands out the room and counts what {@link #receiveInWindow} says was written.
     *
     * <pre>{@code
     * ByteBuffer w = machine.pollReceiveWindow();           // under the driver's lock, by the one thread that reads
     * if (w != null) {
     *     w.limit(Math.min(w.limit(), w.position() + 256 * 1024));  // the driver may shrink it or move its position
     *     int n = channel.read(w);                           // without the lock
     *     if (n > 0) machine.receiveInWindow(n, System.nanoTime()); // under the lock again; then drain as after receive
     * }
     * }</pre>
     *
     * <p>Between the two calls the driver may feed the machine anything but received bytes: if that changed who owns
     * the next byte (the link dropped, the frame was given up), {@code receiveInWindow} takes the bytes exactly as
     * {@link #receive} would have. Room is paid for by bytes the peer sent, as for bytes given to {@code receive}: a
     * peer that announces a huge block and sends little gets little room. This default never hands out a window.
     */
    default ByteBuffer pollReceiveWindow() {
        return null;
    }

    /**
     * {@code n} bytes were read into the buffer {@link #pollReceiveWindow()} returned last, from the position it had
     * then: they are received, as by {@link #receive}, without being copied when they are still the frame's next
     * bytes. 0 changes nothing (the window stays usable). The window is void after a count above 0, after
     * {@link #receive} and after another {@code pollReceiveWindow}.
     *
     * @throws IllegalStateException    when no window is handed out (this default always throws)
     * @throws IllegalArgumentException when {@code n} is negative or more than the window held
     */
    default void receiveInWindow(int n, long nowNanos) {
        throw new IllegalStateException(getClass().getSimpleName() + " hands out no receive window");
    }

    /**
     * The driver stopped ({@code true}) or went back to ({@code false}) reading the link, for backpressure: a consumer
     * of pushed frames is behind. Nothing else changes: bytes are simply not received meanwhile. A request that times
     * out while reading is stopped says so (its reply may be among the unread bytes) instead of blaming the device.
     * This default ignores it.
     */
    default void readingPaused(boolean paused, long nowNanos) {
    }

    /** The link reported end of stream. */
    void receiveEof(long nowNanos);

    /** The deadline from {@link #pollTimeout()} has come. */
    void handleTimeout(long nowNanos);

    /** The next bytes to write to the link, in a fresh buffer the driver owns, or null when there are none. */
    ByteBuffer pollTransmit();

    /**
     * The next bytes to write to the link, copied into the driver's own buffer instead of a fresh one: as many as
     * fit between {@code dst}'s position and limit, in the order {@link #pollTransmit()} would hand them out.
     * {@code dst}'s position advances past them; its limit and the bytes before its position are untouched. A
     * driver writes {@code dst} to the link after each call and calls again while the call filled it:
     * <pre>{@code
     * for (int n; (n = machine.pollTransmit(dst)) > 0; ) {   // dst: a pooled or reused buffer
     *     dst.flip(); link.write(dst); dst.clear();           // write the n bytes before the next call
     * }
     * }</pre>
     *
     * <p>A request's bytes that do not all fit are split: the first ones are copied now, the rest come first from
     * the next call of either {@code pollTransmit} verb, before any other request's bytes. Bytes are never lost,
     * reordered or interleaved while the link stays up; when the link goes down the rest of a split request is
     * dropped with the link (the request itself ends or is resent as for any request on a lost link). A request
     * counts as written (it takes a slot, its timeout is that of a written request, a request expecting nothing
     * ends, its echo is awaited) once its first byte is copied: the moment {@link #pollTransmit()} would hand out
     * its buffer. So a driver must write every byte it was given, in order, as it would a buffer from
     * {@link #pollTransmit()}. The verbs may be mixed.
     *
     * @param dst where to copy; any kind (heap, direct, a view of a pooled buffer)
     * @return how many bytes were copied: 0 when there are none now or {@code dst} has no room
     * @throws NullPointerException     when {@code dst} is null
     * @throws IllegalArgumentException when {@code dst} is read-only (checked before anything changes)
     */
    int pollTransmit(ByteBuffer dst);

    /** When {@link #handleTimeout} must be called next, in {@code nowNanos} terms; empty when no deadline. */
    OptionalLong pollTimeout();

    /**
     * {@link #pollTimeout()} as a primitive, for drivers that re-arm their timer after every input: when
     * {@link #handleTimeout} must be called next, in {@code nowNanos} terms, or {@link Long#MAX_VALUE} when no
     * deadline is armed (a real deadline is never {@code Long.MAX_VALUE}: deadlines that would overflow are held at
     * {@code Long.MAX_VALUE - 1}). Allocates nothing in {@link Connection} and {@link dev.labwire.core.bus.Bus}; this
     * default unwraps {@link #pollTimeout()}.
     */
    default long pollTimeoutNanos() {
        return pollTimeout().orElse(Long.MAX_VALUE);
    }

    /**
     * The caller gave up on the request {@code id} (an interrupted blocking call, a cancelled future). A request whose
     * bytes have not gone out yet is withdrawn: it is never written, no event will come for it, and this returns
     * true (the driver ends the caller's call itself). A request already written ends now with {@link Event.Failed}
     * (a {@link LocalProtocolException} saying so) and its reply, if it comes, is dealt with by the
     * {@link StaleReplyPolicy} as after a timeout; this returns false. An id that already ended, or is unknown,
     * changes nothing and returns false.
     */
    boolean cancel(long id, long nowNanos);

    /** The next event, or {@link Event.NeedData#INSTANCE} when there is none. */
    Event nextEvent();

    /**
     * Takes out the next event, as {@link #nextEvent()} does, and hands it to {@code sink}: a reply of one frame may
     * come as {@link EventSink#reply} without its {@link Event.Reply} object (a driver that ends a call with the
     * reply's frame or text allocates nothing more per reply), anything else as {@link EventSink#event}. Returns
     * false, calling nothing, when there is no event ({@link Event.NeedData}). Either verb may be used at any time;
     * both take from the same events, in the same order. This default hands every event to {@link EventSink#event};
     * {@link Connection} splits one-frame replies.
     *
     * @throws NullPointerException when {@code sink} is null
     */
    default boolean nextEvent(EventSink sink) {
        java.util.Objects.requireNonNull(sink, "sink");
        Event e = nextEvent();
        if (e == Event.NeedData.INSTANCE) {
            return false;
        }
        sink.event(e);
        return true;
    }

    // For drivers' wire traces: read-only views that change nothing. A driver asks only when it traces, so they cost
    // nothing on the untraced path; ids are those {@code send} returned (the connection's own resync probe has one too).

    /**
     * The id of the request whose bytes the latest {@code pollTransmit} call (either verb) handed out first: the rest
     * of a split request, else the first request it began; -1 when it handed out nothing (or the machine has no ids).
     */
    default long transmittedFirstId() {
        return -1;
    }

    /**
     * The id of the request whose bytes the latest {@code pollTransmit} call handed out last; equal to
     * {@link #transmittedFirstId()} unless the call handed out several requests (pipelining into one buffer).
     */
    default long transmittedLastId() {
        return -1;
    }

    /**
     * The id of the request the next received byte belongs to, as things stand: the oldest written one still owed its
     * echo, else its reply (also one that ended early, by a timeout, whose late reply is still owed); -1 when none is,
     * so bytes arriving now are unsolicited. Ask before {@link #receive}, which may end that request.
     */
    default long awaitedId() {
        return -1;
    }

    /** The request of {@link #awaitedId()} as written to the wire, or null when none is awaited. */
    default Request awaitedRequest() {
        return null;
    }

    // Channels: extra TCP connections of protocols that use more than one (docs/CHANNELS.md). Single-stream machines
    // never order one, so these defaults refuse every report: a driver calls them only for a channel it was ordered.

    /**
     * The TCP port the driver connects the link to when {@link Event.OpenLink} comes, or 0 for the endpoint's own
     * port. A machine that learns its port first (VXI-11 asks the portmapper on a channel) returns it here.
     */
    default int linkPort() {
        return 0;
    }

    /** Channel {@code channel}, ordered by {@link Event.OpenChannel} or {@link Event.ListenChannel}, is connected. */
    default void channelUp(int channel, long nowNanos) {
        throw noChannels(channel);
    }

    /** Channel {@code channel} could not be connected (or its listening socket not opened); it is gone. */
    default void channelFailed(int channel, Throwable cause, long nowNanos) {
        throw noChannels(channel);
    }

    /**
     * The listening socket of {@link Event.ListenChannel} is open at {@code address} (the link's local address: 4
     * bytes IPv4 or 16 bytes IPv6) and {@code port}: what the machine tells the instrument to connect to.
     */
    default void channelListening(int channel, byte[] address, int port, long nowNanos) {
        throw noChannels(channel);
    }

    /** The connected channel {@code channel} ended: end of stream ({@code cause} says so) or an I/O error; it is gone. */
    default void channelDown(int channel, Throwable cause, long nowNanos) {
        throw noChannels(channel);
    }

    /** Bytes read from channel {@code channel} (consumed from position to limit). */
    default void receive(int channel, ByteBuffer data, long nowNanos) {
        throw noChannels(channel);
    }

    /**
     * The next bytes to write to channel {@code channel}, copied into {@code dst} as {@link #pollTransmit(ByteBuffer)}
     * copies the link's: the driver calls it after every input for every connected channel, writes what it got, in
     * order, and calls again while a call filled {@code dst}.
     *
     * @return how many bytes were copied: 0 when there are none now (always, for a machine without channels)
     */
    default int pollTransmit(int channel, ByteBuffer dst) {
        return 0;
    }

    private LocalProtocolException noChannels(int channel) {
        return new LocalProtocolException(getClass().getSimpleName() + " uses no channels, so channel " + channel
                + " was never ordered");
    }
}
