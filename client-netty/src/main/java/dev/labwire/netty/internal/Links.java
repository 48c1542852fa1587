package dev.labwire.netty.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.LinkMachine;
import dev.labwire.core.endpoint.Endpoint;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * The links of one {@link NettyDriver}: the one opening, the open one, and the ends of every link it retired (so
 * close can wait for their channels, ports and threads). Moves the core's bytes to the open link, up to the link's
 * high-water mark, and flushes once per batch of loop tasks; holds the read switch for backpressure. Event loop only.
 */
final class Links {
    private final NettyDriver driver;
    private final EventLoop loop;
    private final Endpoint endpoint;
    /** Why a serial port may hold its output (flow control), or null. */
    private final String heldOutput;
    private final ConnectionConfig config;
    private final String name;
    private final int highWater;
    private final List<CompletableFuture<Void>> ends = new ArrayList<>();
    private final Runnable flushTask = this::flushNow;
    private CompletableFuture<Void> lastEnd = CompletableFuture.completedFuture(null);
    private Link open;
    private Link opening;
    private boolean flushScheduled;
    private boolean readingPaused;

    Links(NettyDriver driver, EventLoop loop, Endpoint endpoint, ConnectionConfig config, String name, int highWater) {
        this.driver = driver;
        this.loop = loop;
        this.endpoint = endpoint;
        this.heldOutput = dev.labwire.core.internal.HeldOutput.why(endpoint);
        this.config = config;
        this.name = name;
        this.highWater = highWater;
    }

    boolean isOpen(Link l) {
        return l != null && l == open;
    }

    boolean isOpening(Link l) {
        return l != null && l == opening;
    }

    /** Starts a new link attempt (a serial one first waits for the last link to let go of the port). */
    void startOpening(LinkMachine machine) {
        Endpoint target = dev.labwire.core.internal.Sessions.linkEndpoint(endpoint, machine.linkPort());
        Link l = target instanceof Endpoint.Tcp tcp
                ? new TcpLink(driver, loop, tcp, config, highWater)
                : SerialSupport.bridge(driver, loop, (Endpoint.Serial) endpoint, name, lastEnd, highWater);
        opening = l;
        l.start();
    }

    /** The link opening is up: it is the open link now, reading unless paused. */
    void opened(Link l) {
        opening = null;
        open = l;
        l.setReading(!readingPaused);
    }

    /** Gives up the link opening, if any (it failed, or the client closes). */
    void abandonOpening() {
        Link l = opening;
        opening = null; // first: a link may report its open failed while it closes
        if (l != null) {
            retire(l);
        }
    }

    /** Closes {@code l}, which is no longer the driver's, keeping its end for {@link #released()}. */
    void retire(Link l) {
        CompletableFuture<Void> end = l.close();
        lastEnd = end;
        ends.removeIf(CompletableFuture::isDone);
        ends.add(end);
    }

    /** Closes the open link; false when there was none. */
    boolean dropOpen() {
        Link l = open;
        open = null;
        if (l == null) {
            return false;
        }
        retire(l);
        return true;
    }

    /** Completes when every link retired so far has released its resources. */
    CompletableFuture<Void> released() {
        return CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new));
    }

    /** Hands the open link what {@code machine} has to write, up to the link's high-water mark; a flush follows. */
    void transmit(LinkMachine machine) {
        if (open == null) {
            while (machine.pollTransmit() != null) {
                continue; // no link to write to: the core does not hand out bytes then, but never leave them
            }
            return;
        }
        if (!open.writable() || !open.writeFrom(machine) || flushScheduled) {
            return; // at the mark the rest waits in the core, unwritten; the link's linkWritable() drains again
        }
        flushScheduled = true;
        try {
            loop.execute(flushTask); // runs after the loop's queued tasks: one flush per batch
        } catch (RejectedExecutionException e) {
            flushNow();
        }
    }

    private void flushNow() {
        flushScheduled = false;
        if (open != null) {
            open.flush();
        }
    }

    /** Pauses (true) or resumes reading, on the open link and every later one. */
    void pauseReading(boolean pause) {
        readingPaused = pause;
        if (open != null) {
            open.setReading(!pause);
        }
    }

    boolean readingPaused() {
        return readingPaused;
    }

    /** The open link's peer address (channels go there too), or null without one. */
    java.net.InetAddress remoteAddress() {
        java.net.InetSocketAddress a = open == null ? null : open.remote();
        return a == null ? null : a.getAddress();
    }

    /** The open link's local address (a listening channel listens there), or null without one. */
    java.net.InetAddress localAddress() {
        java.net.InetSocketAddress a = open == null ? null : open.local();
        return a == null ? null : a.getAddress();
    }

    /** Whether the open link reads now; false without one. */
    boolean reading() {
        return open != null && open.reading();
    }

    /** Whether the open link takes bytes now; false without one. */
    boolean writable() {
        return open != null && open.writable();
    }

    /** Bytes the open link holds that are not on the wire yet; 0 without one. */
    long unsentBytes() {
        return open == null ? 0 : open.unsentBytes();
    }

    /** {@code t}, saying so when the open link is full because its peer takes no bytes (the core cannot know). */
    Event.Timeout explain(Event.Timeout t) {
        if (open != null && open.writable() && heldOutput != null && t.written() && open.unsentBytes() > 0) {
            // a serial port with flow control: the writer thread waits in a write the OS holds
            return new Event.Timeout(t.id(), t.request(), true, "its bytes had not all gone out by its deadline ("
                    + heldOutput + "; " + open.unsentBytes() + " bytes wait to go out)"
                    + (t.detail() == null ? "" : "; " + t.detail()));
        }
        if (open == null || open.writable()) {
            return t;
        }
        return new Event.Timeout(t.id(), t.request(), t.written(), "the peer is not taking bytes: " + open.unsentBytes()
                + " bytes wait to go out (write high-water mark " + highWater + " bytes)"
                + (t.detail() == null ? "" : "; " + t.detail()));
    }
}
