package dev.labwire.core.vxi11.internal;

import dev.labwire.core.Event;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The calls of a {@link Vxi11Session} on its link, the VXI-11 core channel (VXI-11 B.3): at most one RPC call on it at a
 * time, with its xid, its procedure and the request it was made for (the wire trace names that request); the records
 * written and the replies reassembled; and the recovery debts a request that ended early leaves behind: its call's
 * reply, owed and dropped by xid within {@value Vxi11Session#OWED_GRACE_MS} ms, and a device_clear before the next
 * request when it expected an answer. It also hands out the xids of every channel, so they never repeat within a
 * session. It is separate because that state follows the calls on the wire, not the requests: the session decides which
 * request runs; this class knows what the device still owes us.
 */
final class CoreChannel {

    private final ArrayDeque<Event> events;
    private final CallWire wire = new CallWire(Vxi11Session.MAX_READ + 1024);
    private int xid;
    private int callXid;             // the call on the link, 0: none
    private int callProc;
    private long callId = -1;        // the request whose call is on the link (-1: an internal call)
    private Request callRequest;
    private boolean owed;            // the call on the link belongs to a request that ended
    private boolean clearOwed;       // that request expected a reply: device_clear before the next request
    private long owedDeadline = Long.MAX_VALUE;

    /** The core channel of a session whose events go to {@code events}. */
    CoreChannel(ArrayDeque<Event> events) {
        this.events = events;
    }

    /** The next xid of the session, for a call on any channel. */
    int nextXid() {
        return ++xid;
    }

    /** A new link: nothing written, nothing on it, nothing owed on it (a device_clear owed stays owed). */
    void linkUp() {
        wire.reset();
        callXid = 0;
        owed = false;
        owedDeadline = Long.MAX_VALUE;
    }

    /** The link is gone, and every debt with it. */
    void linkLost() {
        callXid = 0;
        owed = false;
        clearOwed = false;
        owedDeadline = Long.MAX_VALUE;
    }

    /** The session closes: no grace timer any more. */
    void close() {
        owedDeadline = Long.MAX_VALUE;
    }

    /** Whether a call is on the link. */
    boolean busy() {
        return callXid != 0;
    }

    /** The procedure of the call on the link (or of the last one). */
    int procedure() {
        return callProc;
    }

    /** Puts a call on the link for {@code owner} (null: the machine's own, e.g. create_link). */
    void call(int procedure, XdrStruct args, RequestRun owner) {
        callXid = nextXid();
        callProc = procedure;
        boolean named = owner != null && !owner.internal;   // a caller's (or an external hook's) request
        callId = named ? owner.id : -1;
        callRequest = named ? owner.request : null;
        wire.send(RpcCall.of(callXid, Vxi11.CORE_PROGRAM, Vxi11.VERSION, procedure, args.encode()), callId);
    }

    /** The call on the link belongs to a request that ended: its reply is dropped, if it comes within the grace. */
    void owe(long now) {
        owed = true;
        owedDeadline = now + Vxi11Session.OWED_GRACE_MS * 1_000_000L;
    }

    /** Whether the call on the link belongs to a request that already ended (its reply is awaited to be dropped). */
    boolean owes() {
        return owed && busy();
    }

    /** A request that ended without its answer leaves one in the device when {@code expected}: clear before the next. */
    void oweClear(boolean expected) {
        clearOwed |= expected;
    }

    /** Whether a device_clear is owed; taking it clears the debt. */
    boolean takeClearOwed() {
        if (clearOwed) {
            clearOwed = false;
            return true;
        }
        return false;
    }

    /** Whether the owed reply did not come within the grace. */
    boolean owedExpired(long now) {
        return owed && owedDeadline - now <= 0;
    }

    long owedDeadline() {
        return owedDeadline;
    }

    /** The next whole record from the device, or null. @throws RemoteProtocolException when it breaks record marking */
    byte[] receive(ByteBuffer data) {
        return wire.records.receive(data);
    }

    /**
     * Takes {@code reply} off the link when it answers the call on it; a reply that answers no call is reported
     * ({@link Event.ProtocolError}) and false is returned.
     */
    boolean accept(RpcReply reply) {
        if (callXid == 0 || reply.xid() != callXid) {
            events.add(new Event.ProtocolError(new RemoteProtocolException("RPC reply xid " + Rpc.hex(reply.xid())
                    + " answers no call on the VXI-11 link" + (callXid == 0 ? "" : " (awaiting " + Rpc.hex(callXid) + ")"))));
            return false;
        }
        callXid = 0;
        return true;
    }

    /** After {@link #accept}: whether that reply was owed (a request that already ended); it is dropped then. */
    boolean settleOwed() {
        if (owed) {
            owedDeadline = Long.MAX_VALUE;
            owed = false;
            return true;
        }
        return false;
    }

    ByteBuffer pollTransmit() {
        byte[] b = wire.poll();
        return b == null ? null : ByteBuffer.wrap(b);
    }

    int pollTransmit(ByteBuffer dst) {
        return wire.copy(dst);
    }

    long transmittedFirstId() {
        return wire.firstId;
    }

    long transmittedLastId() {
        return wire.lastId;
    }

    long awaitedId() {
        return callXid != 0 ? callId : -1;
    }

    Request awaitedRequest() {
        return callXid != 0 ? callRequest : null;
    }
}
