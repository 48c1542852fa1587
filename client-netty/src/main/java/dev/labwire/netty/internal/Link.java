package dev.labwire.netty.internal;

import dev.labwire.core.LinkMachine;
import java.util.concurrent.CompletableFuture;

/**
 * One link attempt and, once open, one open link (a Netty TCP channel or a serial port bridge), as the
 * {@link NettyDriver} sees it. Every method is called on the driver's event loop. A link reports back
 * to the driver, also on the event loop: {@code linkOpened} or {@code linkOpenFailed} once, then
 * {@code linkReceived} any number of times, then {@code linkLost} at most once.
 */
interface Link {

    /** Starts opening; the outcome is reported to the driver later (or at once, on the event loop). */
    void start();

    /**
     * Takes every byte {@code machine} has to write now ({@code pollTransmit} until it has none) and queues it for
     * the next {@link #flush()}, in order.
     *
     * @return whether any byte was queued
     */
    boolean writeFrom(LinkMachine machine);

    /** Hands the queued bytes to the wire. */
    void flush();

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
}
