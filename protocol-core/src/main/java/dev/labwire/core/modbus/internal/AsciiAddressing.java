package dev.labwire.core.modbus.internal;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.bus.Address;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.Printable;
import java.time.Duration;
import java.util.Arrays;

/**
 * Modbus ASCII on a {@link dev.labwire.core.bus.Bus}: {@code ':' hex(unit pdu lrc)} and the connection's CR LF
 * (Serial Line v1.02 section 2.5.2). A colon always starts a new message, so a line is read from its last colon:
 * noise before it is dropped; a line without a colon, or naming another unit, is foreign. Bad hex or a wrong LRC
 * from the awaited unit fails the request, naming what was wrong.
 *
 * @param broadcastDelay the quiet time after a broadcast
 */
public record AsciiAddressing(Duration broadcastDelay) implements SerialAddressing {

    @Override
    public byte[] encode(Address address, byte[] payload) {
        int unit = SerialAddressing.unit(address);
        byte[] raw = new byte[payload.length + 2];
        raw[0] = (byte) unit;
        System.arraycopy(payload, 0, raw, 1, payload.length);
        raw[raw.length - 1] = (byte) Hex.lrc(raw, 0, raw.length - 1);
        byte[] out = new byte[1 + 2 * raw.length];
        out[0] = ':';
        Hex.encode(raw, out, 1);
        return out;
    }

    @Override
    public Frame decode(Address address, Frame frame) {
        byte[] f = frame.toByteArray();
        int colon = lastColon(f);
        if (colon < 0) {
            throw new RemoteProtocolException("Modbus ASCII reply without ':' from unit " + address.number() + ": "
                    + Printable.quoted(f, 0, f.length, 64));
        }
        int digits = f.length - colon - 1;
        if (digits % 2 != 0 || digits < 6) {
            throw new RemoteProtocolException("Modbus ASCII reply from unit " + address.number() + " has " + digits
                    + " hex digits; it needs an even number, at least 6 (unit, function, LRC): " + Printable.quoted(f, 0, f.length, 64));
        }
        byte[] raw = new byte[digits / 2];
        for (int i = 0; i < raw.length; i++) {
            int hi = Hex.digit(f[colon + 1 + 2 * i]);
            int lo = Hex.digit(f[colon + 2 + 2 * i]);
            if (hi < 0 || lo < 0) {
                throw new RemoteProtocolException("Modbus ASCII reply from unit " + address.number() + " has a non-hex character at index "
                        + (colon + 1 + 2 * i + (hi < 0 ? 0 : 1)) + ": " + Printable.quoted(f, 0, f.length, 64));
            }
            raw[i] = (byte) (hi << 4 | lo);
        }
        int lrc = Hex.lrc(raw, 0, raw.length - 1);
        int got = raw[raw.length - 1] & 0xFF;
        if (lrc != got) {
            throw new RemoteProtocolException("bad LRC in the Modbus ASCII reply from unit " + address.number() + ": expected "
                    + String.format("0x%02X", lrc) + ", got " + String.format("0x%02X", got) + "; frame discarded");
        }
        if ((raw[0] & 0xFF) != address.number()) {
            throw new RemoteProtocolException("reply from the wrong unit: expected " + address.number() + ", got " + (raw[0] & 0xFF));
        }
        return Frame.of(Arrays.copyOfRange(raw, 1, raw.length - 1));
    }

    @Override
    public boolean isForeign(Address address, Frame frame) {
        byte[] f = frame.toByteArray();
        int colon = lastColon(f);
        if (colon < 0) {
            return true; // noise: no message starts in it
        }
        if (f.length < colon + 3) {
            return false;
        }
        int hi = Hex.digit(f[colon + 1]);
        int lo = Hex.digit(f[colon + 2]);
        return hi >= 0 && lo >= 0 && (hi << 4 | lo) != address.number();
    }

    @Override
    public String whyForeign(Address address, byte[] command, Frame frame) {
        byte[] f = frame.toByteArray();
        int colon = lastColon(f);
        if (colon < 0) {
            return "no ':' starts a message in it (noise)";
        }
        return "unit " + (Hex.digit(f[colon + 1]) << 4 | Hex.digit(f[colon + 2])) + " answered, not unit " + address.number();
    }

    private static int lastColon(byte[] f) {
        for (int i = f.length - 1; i >= 0; i--) {
            if (f[i] == ':') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "modbusAscii";
    }
}
