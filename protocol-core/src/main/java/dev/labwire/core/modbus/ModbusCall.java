package dev.labwire.core.modbus;

import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.bus.Addressing;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.modbus.internal.SerialAddressing;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * One Modbus exchange described once for both clients: the request PDU (function code and data, Modbus Application
 * Protocol v1.1b3 section 6) and how to read the reply PDU into a value. Immutable.
 *
 * <pre>{@code
 * ModbusCall<int[]> c = ModbusCall.readHoldingRegisters(0x006B, 3);   // pdu 03 00 6B 00 03
 * int[] regs = c.decode(17, replyPdu);                                // 03 06 02 2B 00 00 00 64 -> {555, 0, 100}
 * }</pre>
 *
 * <p>Arguments are checked against the spec when the call is made, each refused with an
 * {@link IllegalArgumentException} naming the value: addresses 0..65535 with {@code address + quantity <= 65536},
 * the quantity limits of {@link ModbusFunction}, register values 0..65535 (or -32768..-1, sent as their 16 bits).
 * {@link #decode} throws {@link ModbusException} for an exception response and {@link RemoteProtocolException} for a
 * reply that does not answer the request (another function, a wrong byte count, a write echo that differs).
 *
 * @param <T> the value: {@code boolean[]} for bits, {@code int[]} (0..65535 each) for registers, {@code Void} for writes
 */
public final class ModbusCall<T> {
    private final ModbusFunction function;
    private final byte[] pdu;
    private final int readQuantity;

    private ModbusCall(ModbusFunction function, byte[] pdu, int readQuantity) {
        this.function = function;
        this.pdu = pdu;
        this.readQuantity = readQuantity;
    }

    /** FC 1: {@code quantity} coils (1..2000) from {@code address}. */
    public static ModbusCall<boolean[]> readCoils(int address, int quantity) {
        return read(ModbusFunction.READ_COILS, address, quantity);
    }

    /** FC 2: {@code quantity} discrete inputs (1..2000) from {@code address}. */
    public static ModbusCall<boolean[]> readDiscreteInputs(int address, int quantity) {
        return read(ModbusFunction.READ_DISCRETE_INPUTS, address, quantity);
    }

    /** FC 3: {@code quantity} holding registers (1..125) from {@code address}. */
    public static ModbusCall<int[]> readHoldingRegisters(int address, int quantity) {
        return read(ModbusFunction.READ_HOLDING_REGISTERS, address, quantity);
    }

    /** FC 4: {@code quantity} input registers (1..125) from {@code address}. */
    public static ModbusCall<int[]> readInputRegisters(int address, int quantity) {
        return read(ModbusFunction.READ_INPUT_REGISTERS, address, quantity);
    }

    /** FC 5: the coil at {@code address} on (0xFF00) or off (0x0000). */
    public static ModbusCall<Void> writeSingleCoil(int address, boolean on) {
        return new ModbusCall<>(ModbusFunction.WRITE_SINGLE_COIL, pdu(0x05, range(address, 1), on ? 0xFF00 : 0), 0);
    }

    /** FC 6: {@code value} into the register at {@code address}. */
    public static ModbusCall<Void> writeSingleRegister(int address, int value) {
        return new ModbusCall<>(ModbusFunction.WRITE_SINGLE_REGISTER, pdu(0x06, range(address, 1), word("value", value)), 0);
    }

    /** FC 15: {@code values} (1..1968 of them) into the coils from {@code address}. */
    public static ModbusCall<Void> writeMultipleCoils(int address, boolean[] values) {
        Objects.requireNonNull(values, "values");
        quantity(ModbusFunction.WRITE_MULTIPLE_COILS, values.length, 1968);
        byte[] bits = new byte[(values.length + 7) / 8];
        for (int i = 0; i < values.length; i++) {
            if (values[i]) {
                bits[i / 8] |= (byte) (1 << (i % 8));
            }
        }
        return new ModbusCall<>(ModbusFunction.WRITE_MULTIPLE_COILS, withData(pdu(0x0F, range(address, values.length), values.length), bits), 0);
    }

    /** FC 16: {@code values} (1..123 of them) into the registers from {@code address}. */
    public static ModbusCall<Void> writeMultipleRegisters(int address, int[] values) {
        Objects.requireNonNull(values, "values");
        quantity(ModbusFunction.WRITE_MULTIPLE_REGISTERS, values.length, 123);
        return new ModbusCall<>(ModbusFunction.WRITE_MULTIPLE_REGISTERS,
                withData(pdu(0x10, range(address, values.length), values.length), words(values)), 0);
    }

    /**
     * FC 23: writes {@code values} (1..121) from {@code writeAddress}, then reads {@code readQuantity} (1..125)
     * registers from {@code readAddress}; the spec has the write done before the read.
     */
    public static ModbusCall<int[]> readWriteMultipleRegisters(int readAddress, int readQuantity, int writeAddress, int[] values) {
        Objects.requireNonNull(values, "values");
        quantity(ModbusFunction.READ_WRITE_MULTIPLE_REGISTERS, readQuantity, 125);
        range(readAddress, readQuantity);
        if (values.length < 1 || values.length > 121) {
            throw new IllegalArgumentException("READ_WRITE_MULTIPLE_REGISTERS (0x17) writes 1..121 registers: " + values.length);
        }
        range(writeAddress, values.length);
        byte[] head = pdu(0x17, readAddress, readQuantity, writeAddress, values.length);
        return new ModbusCall<>(ModbusFunction.READ_WRITE_MULTIPLE_REGISTERS, withData(head, words(values)), readQuantity);
    }

    private static <T> ModbusCall<T> read(ModbusFunction f, int address, int quantity) {
        quantity(f, quantity, f.maxQuantity());
        return new ModbusCall<>(f, pdu(f.code(), range(address, quantity), quantity), quantity);
    }

    /** The function. */
    public ModbusFunction function() {
        return function;
    }

    /** A copy of the request PDU: function code, then data. */
    public byte[] pdu() {
        return pdu.clone();
    }

    /**
     * The bus request for {@code unit} on a bus with {@code addressing}. On Modbus RTU and ASCII, unit 0 is a
     * broadcast: written, no reply awaited ({@link Expect#nothing()}); only write functions may be broadcast.
     *
     * @throws IllegalArgumentException for a broadcast of a function that reads, naming it
     */
    public Request request(int unit, Addressing addressing) {
        if (unit == 0 && addressing instanceof SerialAddressing) {
            if (!function.isWriteOnly()) {
                throw new IllegalArgumentException("unit 0 is a broadcast, which only write functions may use: " + function.shown());
            }
            return Request.of(pdu, Expect.nothing());
        }
        return Request.of(pdu, Expect.frame());
    }

    /** {@link #request(int, Addressing)} with its own whole-exchange timeout. */
    public Request request(int unit, Addressing addressing, Duration timeout) {
        return request(unit, addressing).withTimeout(timeout);
    }

    /** The value of a bus reply to {@link #request}: its one frame is the reply PDU; null for a broadcast's write. */
    public T result(int unit, Event.Reply reply) {
        if (reply.frames().isEmpty()) {
            return null;
        }
        Frame f = reply.frames().get(0);
        return decode(unit, f.toByteArray());
    }

    /**
     * The value in {@code reply}, the reply PDU of {@code unit}.
     *
     * @throws ModbusException         when it is an exception response
     * @throws RemoteProtocolException when it does not answer this request
     */
    @SuppressWarnings("unchecked")
    public T decode(int unit, byte[] reply) {
        Objects.requireNonNull(reply, "reply");
        if (reply.length == 0) {
            throw bad(unit, "an empty PDU");
        }
        int fc = reply[0] & 0xFF;
        if (fc == (function.code() | 0x80)) {
            if (reply.length != 2) {
                throw bad(unit, "an exception response of " + reply.length + " bytes (it has 2)");
            }
            throw new ModbusException(unit, function, reply[1] & 0xFF);
        }
        if (fc != function.code()) {
            throw bad(unit, "function code " + String.format("0x%02X", fc));
        }
        switch (function) {
            case READ_COILS, READ_DISCRETE_INPUTS: {
                byte[] data = data(unit, reply, (readQuantity + 7) / 8);
                boolean[] out = new boolean[readQuantity];
                for (int i = 0; i < readQuantity; i++) {
                    out[i] = (data[i / 8] >> (i % 8) & 1) != 0;
                }
                return (T) out;
            }
            case READ_HOLDING_REGISTERS, READ_INPUT_REGISTERS, READ_WRITE_MULTIPLE_REGISTERS: {
                byte[] data = data(unit, reply, 2 * readQuantity);
                int[] out = new int[readQuantity];
                for (int i = 0; i < readQuantity; i++) {
                    out[i] = (data[2 * i] & 0xFF) << 8 | (data[2 * i + 1] & 0xFF);
                }
                return (T) out;
            }
            default: {
                // writes answer with the request's first 4 data bytes (FC 5, 6: all of them)
                if (reply.length != 5 || !Arrays.equals(reply, 0, 5, pdu, 0, 5)) {
                    throw bad(unit, "a write echo that differs from the request: " + hex(reply) + " for " + hex(Arrays.copyOf(pdu, Math.min(5, pdu.length))));
                }
                return null;
            }
        }
    }

    private byte[] data(int unit, byte[] reply, int byteCount) {
        if (reply.length < 2 || (reply[1] & 0xFF) != byteCount || reply.length != 2 + byteCount) {
            throw bad(unit, (reply.length < 2 ? "no byte count" : "byte count " + (reply[1] & 0xFF) + " in " + reply.length
                    + " bytes (the request needs " + byteCount + " data bytes)")
                    + (Arrays.equals(reply, pdu) ? "; that reply is the request's own PDU: the link seems to echo what is written"
                            + " (a 2-wire RS485 adapter without echo suppression?); then set ConnectionConfig.echo(Echo.CHECK_AND_DROP)" : ""));
        }
        return Arrays.copyOfRange(reply, 2, reply.length);
    }

    private RemoteProtocolException bad(int unit, String what) {
        return new RemoteProtocolException("unit " + unit + " answered " + function.shown() + " with " + what);
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(s.length() == 0 ? "" : " ").append(String.format("%02X", x & 0xFF));
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return "ModbusCall[" + function.shown() + " " + hex(pdu) + "]";
    }

    // ------------------------------------------------------------------ argument checks and PDU building

    private static void quantity(ModbusFunction f, int quantity, int max) {
        if (quantity < 1 || quantity > max) {
            throw new IllegalArgumentException(f.shown() + " takes a quantity of 1.." + max + ": " + quantity);
        }
    }

    private static int range(int address, int quantity) {
        if (address < 0 || address > 0xFFFF) {
            throw new IllegalArgumentException("a Modbus address is 0..65535: " + address);
        }
        if (address + quantity > 0x10000) {
            throw new IllegalArgumentException("address " + address + " + quantity " + quantity + " passes 65535");
        }
        return address;
    }

    private static int word(String what, int v) {
        if (v < -0x8000 || v > 0xFFFF) {
            throw new IllegalArgumentException("a register " + what + " is 0..65535 (or -32768..-1 as a signed 16-bit value): " + v);
        }
        return v & 0xFFFF;
    }

    private static byte[] words(int[] values) {
        byte[] out = new byte[2 * values.length];
        for (int i = 0; i < values.length; i++) {
            int v = word("value at index " + i, values[i]);
            out[2 * i] = (byte) (v >> 8);
            out[2 * i + 1] = (byte) v;
        }
        return out;
    }

    private static byte[] pdu(int fc, int... words) {
        byte[] out = new byte[1 + 2 * words.length];
        out[0] = (byte) fc;
        for (int i = 0; i < words.length; i++) {
            out[1 + 2 * i] = (byte) (words[i] >> 8);
            out[2 + 2 * i] = (byte) words[i];
        }
        return out;
    }

    private static byte[] withData(byte[] head, byte[] data) {
        byte[] out = Arrays.copyOf(head, head.length + 1 + data.length);
        out[head.length] = (byte) data.length;
        System.arraycopy(data, 0, out, head.length + 1, data.length);
        return out;
    }
}
