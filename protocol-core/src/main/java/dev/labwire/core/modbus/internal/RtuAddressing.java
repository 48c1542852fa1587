package dev.labwire.core.modbus.internal;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.bus.Address;
import dev.labwire.core.bus.Checksum;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.Printable;
import java.time.Duration;
import java.util.Arrays;

/**
 * Modbus RTU on a {@link dev.labwire.core.bus.Bus}: {@code unit pdu crc-lo crc-hi} (Serial Line v1.02 section 2.5.1).
 * A frame is foreign (discarded as {@code Event.Discarded FOREIGN} with its bytes; the request keeps waiting, and ends by
 * its timeout if nothing better comes) when its first byte names another unit (a late reply of another unit), or when
 * the length rule says it is not whole or gives no length: bytes that a silence cut off, which cannot be told from
 * noise, as the Serial Line spec's master discards a damaged frame and waits. A whole frame from the awaited unit whose
 * CRC is wrong fails the request at once, naming the expected and the received CRC. A whole, good frame of this unit for
 * another function code is foreign too (a late reply to an earlier request of another function).
 *
 * @param broadcastDelay the quiet time after a broadcast
 */
public record RtuAddressing(Duration broadcastDelay) implements SerialAddressing {
    private static final Checksum CRC = Checksum.crc16Modbus();

    @Override
    public byte[] encode(Address address, byte[] payload) {
        int unit = SerialAddressing.unit(address);
        byte[] out = new byte[1 + payload.length + 2];
        out[0] = (byte) unit;
        System.arraycopy(payload, 0, out, 1, payload.length);
        CRC.write(CRC.compute(out, 0, 1 + payload.length), out, 1 + payload.length);
        return out;
    }

    @Override
    public Frame decode(Address address, Frame frame) {
        byte[] f = frame.toByteArray();
        int expected = RtuLengths.reply(f);
        if (f.length < 4 || expected == RtuLengths.NEED || (expected > 0 && f.length < expected)) {
            throw new RemoteProtocolException("reply from unit " + address.number() + " broke off after " + f.length + " bytes"
                    + (expected > 0 ? " of the " + expected + " its header announces" : "")
                    + " (a silence of 3.5 characters ended it): " + Printable.quoted(f, 0, f.length, 64) + "; frame discarded");
        }
        if (expected == RtuLengths.UNKNOWN) {
            throw new RemoteProtocolException("reply from unit " + address.number() + " has function code "
                    + Printable.hex(f[1]) + ", which gives no RTU frame length (" + f.length + " bytes came): "
                    + Printable.quoted(f, 0, f.length, 64) + "; frame discarded");
        }
        if (f.length > expected) {
            throw new RemoteProtocolException("reply from unit " + address.number() + " is " + f.length + " bytes, longer than the "
                    + expected + " its header announces; frame discarded");
        }
        int computed = CRC.compute(f, 0, f.length - 2);
        int got = CRC.read(f, f.length - 2);
        if (computed != got) {
            throw new RemoteProtocolException("bad CRC-16/MODBUS in the reply from unit " + address.number() + ": expected "
                    + String.format("0x%04X", computed) + ", got " + String.format("0x%04X", got) + " over " + (f.length - 2)
                    + " bytes; frame discarded");
        }
        return Frame.of(Arrays.copyOfRange(f, 1, f.length - 2));
    }

    @Override
    public boolean isForeign(Address address, Frame frame) {
        if (frame.length() > 0 && (frame.byteAt(0) & 0xFF) != address.number()) {
            return true;
        }
        int expected = RtuLengths.reply(frame.toByteArray());
        return expected < 0 || frame.length() < Math.max(4, expected);
    }

    /**
     * Also foreign: a whole frame with a good CRC whose function code (exception bit aside) is not the request's, such
     * as a late FC 3 reply of this unit while its FC 6 is awaited.
     */
    @Override
    public boolean isForeign(Address address, byte[] command, Frame frame) {
        if (isForeign(address, frame)) {
            return true;
        }
        byte[] f = frame.toByteArray();
        return command.length >= 2 && CRC.compute(f, 0, f.length - 2) == CRC.read(f, f.length - 2)
                && (f[1] & 0x7F) != (command[1] & 0x7F);
    }

    @Override
    public String whyForeign(Address address, byte[] command, Frame frame) {
        byte[] f = frame.toByteArray();
        if (f.length > 0 && (f[0] & 0xFF) != address.number()) {
            return "unit " + (f[0] & 0xFF) + " answered, not unit " + address.number();
        }
        int expected = RtuLengths.reply(f);
        if (expected < 0 || f.length < Math.max(4, expected)) {
            return "not a whole RTU frame" + (expected > 0 ? " (" + f.length + " of the " + expected + " bytes its header announces)" : "")
                    + ": bytes a silence cut off, or noise";
        }
        return "function code " + Printable.hex(f[1]) + " came for the request's " + Printable.hex(command[1])
                + " (a late reply to an earlier request, or a unit answering another function)";
    }

    @Override
    public String toString() {
        return "modbusRtu";
    }
}
