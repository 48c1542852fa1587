package dev.labwire.core.modbus;

import dev.labwire.core.RemoteProtocolException;

/**
 * A unit answered with a Modbus exception response ({@code function | 0x80, exception code}; Modbus Application
 * Protocol v1.1b3 section 7): the message names the unit, the function and the exception code with its spec name,
 * e.g. {@code unit 1 answered READ_HOLDING_REGISTERS (0x03) with exception 0x02 ILLEGAL DATA ADDRESS}.
 */
public final class ModbusException extends RemoteProtocolException {
    private static final long serialVersionUID = 1L;

    private final int unit;
    private final transient ModbusFunction function;
    private final int exceptionCode;

    /**
     * @param unit          the unit that answered
     * @param function      the function it refused
     * @param exceptionCode the exception code, 0..255
     */
    public ModbusException(int unit, ModbusFunction function, int exceptionCode) {
        super("unit " + unit + " answered " + function.shown() + " with exception " + String.format("0x%02X", exceptionCode)
                + " " + codeName(exceptionCode));
        this.unit = unit;
        this.function = function;
        this.exceptionCode = exceptionCode;
    }

    /** The unit that answered. */
    public int unit() {
        return unit;
    }

    /** The function it refused. */
    public ModbusFunction function() {
        return function;
    }

    /** The exception code. */
    public int exceptionCode() {
        return exceptionCode;
    }

    /** The spec's name of an exception code, e.g. {@code ILLEGAL DATA ADDRESS}; {@code UNKNOWN EXCEPTION} for others. */
    public static String codeName(int code) {
        return switch (code) {
            case 0x01 -> "ILLEGAL FUNCTION";
            case 0x02 -> "ILLEGAL DATA ADDRESS";
            case 0x03 -> "ILLEGAL DATA VALUE";
            case 0x04 -> "SERVER DEVICE FAILURE";
            case 0x05 -> "ACKNOWLEDGE";
            case 0x06 -> "SERVER DEVICE BUSY";
            case 0x08 -> "MEMORY PARITY ERROR";
            case 0x0A -> "GATEWAY PATH UNAVAILABLE";
            case 0x0B -> "GATEWAY TARGET DEVICE FAILED TO RESPOND";
            default -> "UNKNOWN EXCEPTION";
        };
    }
}
