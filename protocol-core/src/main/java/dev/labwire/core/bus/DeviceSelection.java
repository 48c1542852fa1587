package dev.labwire.core.bus;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Request;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * What an adapter that selects a device instead of naming it in every command (a Prologix GPIB adapter) needs
 * remembered on the current link of a {@link Bus}: the device selected last, and the devices whose request ended on the
 * wire without its whole reply, which get the addressing's {@link Addressing#clearAfterTimeout} before their next
 * command.
 *
 * <p>Theory of operation. Before a command the bus writes {@link Addressing#select} when the device differs from the one
 * selected last on this link, or when the connection may send the command again on a new link (a resent command does
 * not pass here again, and the new link's adapter selected nothing); the clear follows the select and goes once. A new
 * link forgets the selection ({@link #forget()}); the devices to clear are kept, since their output queue may still hold
 * the late answer.
 *
 * <p>Separate from the bus because it owns the adapter's view of the link only: what is written when is the bus's.
 * Not thread-safe: the bus owns it.
 */
final class DeviceSelection {
    private final Addressing addressing;
    private final ConnectionConfig connection;
    /** The device {@link Addressing#select} made current on this link, or null (none yet, or a new link). */
    private Address selected;
    /** Devices whose request ended on the wire without its whole reply: {@link Addressing#clearAfterTimeout} goes first. */
    private final Set<Address> toClear = new HashSet<>();

    DeviceSelection(Addressing addressing, ConnectionConfig connection) {
        this.addressing = addressing;
        this.connection = connection;
    }

    /**
     * {@code item}'s wire request, after the bytes that select its device when the link's current device is another
     * (or unknown), or when the connection may send it again on a new link (a resent command does not pass here again).
     */
    Request wireRequest(BusRequest item) {
        byte[] select = addressing.select(item.address);
        if (select.length == 0 || item.address.equals(selected) && !connection.resends(item.wire)) {
            select = new byte[0];
        } else {
            selected = item.address;
        }
        byte[] clear = toClear.remove(item.address) ? addressing.clearAfterTimeout(item.address) : new byte[0];
        if (select.length + clear.length == 0) {
            return item.wire;
        }
        byte[] p = item.wire.payload();
        byte[] all = Arrays.copyOf(select, select.length + clear.length + p.length);
        System.arraycopy(clear, 0, all, select.length, clear.length);
        System.arraycopy(p, 0, all, select.length + clear.length, p.length);
        return new Request(all, item.wire.expect(), null, item.wire.resend());
    }

    /** {@code address}'s request ended on the wire without its whole reply: its next command is preceded by the clear. */
    void endedWithoutReply(Address address) {
        if (addressing.clearAfterTimeout(address).length > 0) {
            toClear.add(address); // bounded by the addresses in use
        }
    }

    /** A new link (or none): no device is selected on it. */
    void forget() {
        selected = null;
    }
}
