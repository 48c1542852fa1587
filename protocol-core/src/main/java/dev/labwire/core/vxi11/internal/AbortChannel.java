package dev.labwire.core.vxi11.internal;

import dev.labwire.core.Event;
import dev.labwire.core.RemoteProtocolException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The abort channel of a {@link Vxi11Session} (channel {@value Vxi11Session#ABORT_CHANNEL}, VXI-11 B.4): the
 * connection to the device's abortPort, opened on first use, that carries device_abort when a request ends with its
 * call still on the link. It owns that connection's state (ordered, up, its call queue and reply reassembly) and the
 * port create_link gave; it is separate because its life is its own: it opens late or never, and it may fail or close
 * without harming the link (a device that gives no abort channel only makes a timed-out call wait its grace period).
 */
final class AbortChannel {

    private final ArrayDeque<Event> events;
    private final CallWire wire = new CallWire(1024);
    private int port;         // create_link's abortPort; 0: the device gives none
    private boolean ordered;  // ABORT_CHANNEL ordered and not gone
    private boolean up;

    /** The channel of a session whose events go to {@code events}. */
    AbortChannel(ArrayDeque<Event> events) {
        this.events = events;
    }

    /** The abortPort create_link answered (kept across links until the next create_link says otherwise). */
    void port(int abortPort) {
        this.port = abortPort;
    }

    /** Whether the device named an abort channel. */
    boolean available() {
        return port != 0;
    }

    /** device_abort(lid) with {@code xid}, opening the channel first when it is not yet ordered. */
    void abort(int xid, int lid) {
        if (!ordered) {
            ordered = true;
            events.add(new Event.OpenChannel(Vxi11Session.ABORT_CHANNEL, port));
        }
        wire.send(RpcCall.of(xid, Vxi11.ABORT_PROGRAM, Vxi11.VERSION, Vxi11.DEVICE_ABORT, Vxi11Calls.encodeLink(lid)));
    }

    void channelUp() {
        if (ordered) {
            up = true;
        }
    }

    /** The connection failed or ended: the next abort opens it again. */
    void channelGone() {
        ordered = false;
        up = false;
        wire.reset();
    }

    /** The link is down: the abort channel goes with it. */
    void linkLost() {
        if (ordered) {
            events.add(new Event.CloseChannel(Vxi11Session.ABORT_CHANNEL, "the link is down"));
            ordered = false;
            up = false;
            wire.reset();
        }
    }

    /** The session closes. */
    void close() {
        if (ordered) {
            events.add(new Event.CloseChannel(Vxi11Session.ABORT_CHANNEL, "closed"));
        }
    }

    /** device_abort's replies: nothing depends on their Device_Error; a bad one is reported and the rest dropped. */
    void receive(ByteBuffer data) {
        try {
            for (byte[] rec; (rec = wire.records.receive(data)) != null; ) {
                RpcReply.decode(rec);
            }
        } catch (RemoteProtocolException e) {
            events.add(new Event.ProtocolError(e));
            data.position(data.limit());
        }
    }

    /** Bytes to write on the channel, once it is up. */
    int pollTransmit(ByteBuffer dst) {
        return up ? wire.copy(dst) : 0;
    }
}
