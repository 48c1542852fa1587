package dev.labwire.netty.internal;

import dev.labwire.core.LinkMachine;
import java.util.concurrent.CompletableFuture;

/**
 * One link attempt and, once open, one open link (a Netty TCP channel or a serial port bridge), as the
 * {@link NettyDriver} sees it. Every method is called on the driver's event loop. A link reports back
 * to the driver, also on the event loop: {@code linkOpened} or {@code linkOpenFailed} once, then
 * {@code linkReceived} any number of times, then {@code linkLost} at most once; in between, {@code linkWritable}
 * whenever the link can take bytes again after {@link #writable()} said false.
 *
 * <p>Outbound bytes are bounded: a link takes bytes from the core only while it holds fewer than its high-water
 * mark not yet on the wire (TCP: Netty's write buffer water mark; serial: the bytes handed to the writer thread),
 * so at most the mark plus one buffer (64 KiB) waits in memory, whatever the peer does. The rest waits in the
 * core, unwritten, within each request's deadline.
 */
interface Link {

    /** Starts opening; the outcome is reported to the driver later (or at once, on the event loop). */
    void start();

    /**
     * Takes the bytes {@code machine} has to write now ({@code pollTransmit} until it has none, or until the link
     * holds its high-water mark) and queues them for the next {@link #flush()}, in order.
     *
     * @return whether any byte was queued
     */
    boolean writeFrom(LinkMachine machine);

    /** Hands the queued bytes to the wire. */
    void flush();

    /** Whether the link holds fewer outbound bytes than its high-water mark (then {@link #writeFrom} takes more). */
    boolean writable();

    /** Outbound bytes the link holds that are not on the wire yet (for messages). */
    long unsentBytes();

    /** Reads on (true) or paused (false): the backpressure switch. */
    void setReading(boolean on);

    /** Whether the link reads now (TCP: the channel's auto-read; serial: the reader is not paused). */
    boolean reading();

    /**
     * Closes; idempotent; never reports {@code linkLost} to the driver for this close.
     *
     * @return completes when every resource of the link (channel, port, threads) is released
     */
    CompletableFuture<Void> close();

    /** The peer's address of a TCP link, else null. */
    default java.net.InetSocketAddress remote() {
        return null;
    }

    /** This end's address of a TCP link, else null. */
    default java.net.InetSocketAddress local() {
        return null;
    }
}
