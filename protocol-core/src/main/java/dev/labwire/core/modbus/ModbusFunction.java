package dev.labwire.core.modbus;

/**
 * The Modbus function codes labwire speaks (Modbus Application Protocol v1.1b3 section 6), with the quantity limits
 * the spec gives their requests. A reply whose function code is {@code code() | 0x80} is an exception response
 * ({@link ModbusException}).
 */
public enum ModbusFunction {
    /** FC 1: 1..2000 coils. */
    READ_COILS(0x01, 2000),
    /** FC 2: 1..2000 discrete inputs. */
    READ_DISCRETE_INPUTS(0x02, 2000),
    /** FC 3: 1..125 registers. */
    READ_HOLDING_REGISTERS(0x03, 125),
    /** FC 4: 1..125 registers. */
    READ_INPUT_REGISTERS(0x04, 125),
    /** FC 5: one coil, 0xFF00 on or 0x0000 off. */
    WRITE_SINGLE_COIL(0x05, 1),
    /** FC 6: one register. */
    WRITE_SINGLE_REGISTER(0x06, 1),
    /** FC 15: 1..1968 coils. */
    WRITE_MULTIPLE_COILS(0x0F, 1968),
    /** FC 16: 1..123 registers. */
    WRITE_MULTIPLE_REGISTERS(0x10, 123),
    /** FC 23: reads 1..125 registers after writing 1..121 ({@link #maxQuantity()} is the read limit). */
    READ_WRITE_MULTIPLE_REGISTERS(0x17, 125);

    private final int code;
    private final int maxQuantity;

    ModbusFunction(int code, int maxQuantity) {
        this.code = code;
        this.maxQuantity = maxQuantity;
    }

    /** The function code on the wire. */
    public int code() {
        return code;
    }

    /** The largest quantity a request may carry (FC 23: to read). */
    public int maxQuantity() {
        return maxQuantity;
    }

    /** True for the functions that only write, which a broadcast (unit 0) may carry. */
    public boolean isWriteOnly() {
        return this == WRITE_SINGLE_COIL || this == WRITE_SINGLE_REGISTER || this == WRITE_MULTIPLE_COILS
                || this == WRITE_MULTIPLE_REGISTERS;
    }

    /** The function with {@code code}, or null. */
    public static ModbusFunction of(int code) {
        for (ModbusFunction f : values()) {
            if (f.code == code) {
                return f;
            }
        }
        return null;
    }

    /** {@code READ_HOLDING_REGISTERS (0x03)}. */
    public String shown() {
        return name() + String.format(" (0x%02X)", code);
    }
}
