package dev.labwire.core.hislip.internal;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.hislip.HislipMessage;
import dev.labwire.core.hislip.MessageType;

/**
 * The client side of the HiSLIP device clear transaction (IVI-6.1 section 6.12):
 *
 * <pre>
 *  async: AsyncDeviceClear                   ->
 *         &lt;- AsyncDeviceClearAcknowledge(server's feature preference: bit 0 overlapped)
 *  (from here every Data/DataEnd on the sync channel belongs to cleared requests: discarded)
 *  sync:  DeviceClearComplete(our feature preference) ->
 *         &lt;- DeviceClearAcknowledge(the features now in force)
 *  message ids restart at 0xFFFFFF00 ({@link MessageIds#reset()})
 * </pre>
 *
 * The server empties its queues and answers DeviceClearAcknowledge only after everything it sent before, so
 * discarding all Data/DataEnd until that acknowledgement drops every reply of a cleared request and none of a
 * later one. Deadlines are the caller's: the async exchange goes through {@link AsyncExchanges}.
 */
public final class DeviceClearSequence {

    /** Where the clear is. */
    public enum State { IDLE, AWAIT_ASYNC_ACKNOWLEDGE, AWAIT_ACKNOWLEDGE, DONE }

    private final MessageIds ids;
    private final boolean preferOverlap;
    private State state = State.IDLE;
    private boolean serverPrefersOverlap;
    private boolean overlapped;
    private long dropped;

    /** A clear of the session whose sync-channel ids are {@code ids}; we ask for overlapped mode if {@code preferOverlap}. */
    public DeviceClearSequence(MessageIds ids, boolean preferOverlap) {
        this.ids = ids;
        this.preferOverlap = preferOverlap;
    }

    /** Starts: the AsyncDeviceClear to send on the asynchronous channel. */
    public HislipMessage start() {
        if (state == State.AWAIT_ASYNC_ACKNOWLEDGE || state == State.AWAIT_ACKNOWLEDGE) {
            throw new IllegalStateException("HiSLIP device clear already running: " + state);
        }
        state = State.AWAIT_ASYNC_ACKNOWLEDGE;
        return HislipMessage.asyncDeviceClear();
    }

    /** The AsyncDeviceClearAcknowledge arrived: the DeviceClearComplete to send on the synchronous channel. */
    public HislipMessage onAsyncAcknowledge(HislipMessage m) {
        if (state != State.AWAIT_ASYNC_ACKNOWLEDGE || m.type() != MessageType.ASYNC_DEVICE_CLEAR_ACKNOWLEDGE) {
            throw new RemoteProtocolException("HiSLIP device clear: " + m + " in state " + state);
        }
        serverPrefersOverlap = m.flag();
        state = State.AWAIT_ACKNOWLEDGE;
        return HislipMessage.deviceClearComplete(preferOverlap);
    }

    /**
     * A sync-channel message while clearing. Returns true when the message was consumed by the clear (a stale
     * Data/DataEnd dropped, or the final DeviceClearAcknowledge); false when the clear is not running.
     */
    public boolean onSync(HislipMessage m) {
        if (state != State.AWAIT_ASYNC_ACKNOWLEDGE && state != State.AWAIT_ACKNOWLEDGE) {
            return false;
        }
        MessageType t = m.type();
        if (t == MessageType.DATA || t == MessageType.DATA_END || t == MessageType.INTERRUPTED) {
            dropped++;
            return true;
        }
        if (t == MessageType.DEVICE_CLEAR_ACKNOWLEDGE && state == State.AWAIT_ACKNOWLEDGE) {
            overlapped = m.flag();
            ids.reset();
            state = State.DONE;
            return true;
        }
        throw new RemoteProtocolException("HiSLIP device clear: " + m + " on the synchronous channel in state "
                + state);
    }

    public State state() {
        return state;
    }

    /** The server's preference from AsyncDeviceClearAcknowledge. */
    public boolean serverPrefersOverlap() {
        return serverPrefersOverlap;
    }

    /** The mode in force after the clear (DeviceClearAcknowledge bit 0). */
    public boolean overlapped() {
        return overlapped;
    }

    /** Data/DataEnd/Interrupted dropped during the clear. */
    public long dropped() {
        return dropped;
    }
}
