package dev.labwire.core.modbus.internal;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.bus.Address;
import dev.labwire.core.bus.Addressing;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.Printable;
import java.util.Arrays;

/**
 * Modbus TCP on a {@link dev.labwire.core.bus.Bus}: the MBAP header (Modbus Messaging on TCP/IP v1.0b section
 * 3.1.3) {@code tid:2 protocol:2 (0) length:2 unit:1} before the PDU. The transaction id is the bus's request number
 * modulo 65536, so a reply whose transaction id is not that of the request awaited (a late reply of a request that
 * timed out) is foreign: discarded, never delivered. Any unit 0..255 (0xFF addresses a TCP device itself).
 */
public enum MbapAddressing implements Addressing {
    /** The only value. */
    INSTANCE;

    /** MBAP header bytes. */
    public static final int HEADER = 7;

    @Override
    public byte[] encode(Address address, byte[] payload) {
        return encode(address, payload, 0);
    }

    @Override
    public byte[] encode(Address address, byte[] payload, long requestId) {
        if (!address.isNumeric()) {
            throw new IllegalArgumentException("Modbus TCP addresses units by number 0..255: " + address);
        }
        if (payload.length > 253) {
            throw new IllegalArgumentException("a Modbus PDU is at most 253 bytes: " + payload.length);
        }
        int tid = (int) (requestId & 0xFFFF);
        byte[] out = new byte[HEADER + payload.length];
        out[0] = (byte) (tid >> 8);
        out[1] = (byte) tid;
        int len = 1 + payload.length;
        out[4] = (byte) (len >> 8);
        out[5] = (byte) len;
        out[6] = (byte) address.number();
        System.arraycopy(payload, 0, out, HEADER, payload.length);
        return out;
    }

    @Override
    public Frame decode(Address address, Frame frame) {
        byte[] f = frame.toByteArray();
        if (f.length >= MbapFramer.HEAD && !MbapFramer.isFrame(f)) {
            int protocol = (f[2] & 0xFF) << 8 | (f[3] & 0xFF);
            int length = (f[4] & 0xFF) << 8 | (f[5] & 0xFF);
            throw new RemoteProtocolException("Modbus TCP reply has " + (protocol != 0 ? "protocol id " + protocol + ", not 0 (Modbus)"
                    : "length field " + length + ", outside 2.." + MbapFramer.MAX_LENGTH + " (unit id and PDU)") + ": "
                    + Printable.quoted(f, 0, f.length, 32) + "; read on from the next header");
        }
        if (f.length < HEADER + 1) {
            throw new RemoteProtocolException("Modbus TCP reply of " + f.length + " bytes is shorter than the MBAP header and a function code ("
                    + (HEADER + 1) + "): " + Printable.quoted(f, 0, f.length, 32));
        }
        if ((f[6] & 0xFF) != address.number()) {
            throw new RemoteProtocolException("reply from the wrong unit: expected " + address.number() + ", got " + (f[6] & 0xFF));
        }
        return Frame.of(Arrays.copyOfRange(f, HEADER, f.length));
    }

    /**
     * Foreign: a frame with another transaction id than the request's (a late reply to an earlier request), and bytes
     * too few to carry one (what {@link MbapFramer} skips to find the next header after one that lied).
     */
    @Override
    public boolean isForeign(Address address, byte[] command, Frame frame) {
        if (frame.length() < 2) {
            return true;
        }
        return command.length >= 2 && (frame.byteAt(0) != command[0] || frame.byteAt(1) != command[1]);
    }

    @Override
    public String whyForeign(Address address, byte[] command, Frame frame) {
        if (!MbapFramer.isFrame(frame.toByteArray())) {
            return "bytes that start no Modbus TCP frame (no MBAP header whose protocol id is 0 and whose length fits its"
                    + " PDU), skipped to find the next header";
        }
        return String.format("transaction id 0x%02X%02X came, the request's is 0x%02X%02X (a late reply to an earlier request,"
                + " or a server that does not echo the transaction id)", frame.byteAt(0), frame.byteAt(1), command[0], command[1]);
    }

    @Override
    public String toString() {
        return "modbusTcp";
    }
}
