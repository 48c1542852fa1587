package dev.labwire.examples.mfc;

import dev.labwire.blocking.ModbusUnit;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.modbus.ModbusCall;
import dev.labwire.core.modbus.ModbusException;
import dev.labwire.core.modbus.WordOrder;
import java.time.Duration;
import java.util.Objects;

/**
 * A reference driver for a mass flow controller on Modbus (RTU, ASCII or TCP), over a {@link ModbusUnit}. The register
 * map is <b>illustrative</b>, modelled on common Modbus MFCs (floats in pairs of holding registers, a gas number, a
 * status word); a real device's manual gives its own addresses and word order, which is all a copy of this class has
 * to change:
 *
 * <table>
 *   <caption>Holding registers (PDU addresses, 0-based)</caption>
 *   <tr><th>address</th><th>size</th><th>content</th><th>access</th></tr>
 *   <tr><td>{@value #SET_POINT}</td><td>2</td><td>set-point, IEEE 754 float</td><td>read/write (FC 3, FC 16)</td></tr>
 *   <tr><td>{@value #FLOW}</td><td>2</td><td>measured flow, IEEE 754 float</td><td>read (FC 3)</td></tr>
 *   <tr><td>{@value #GAS}</td><td>1</td><td>gas number</td><td>read/write (FC 3, FC 6)</td></tr>
 *   <tr><td>{@value #STATUS}</td><td>1</td><td>status word, 0 normal</td><td>read (FC 3)</td></tr>
 * </table>
 *
 * <p>Floats are {@link #WORD_ORDER} {@link WordOrder#ABCD}: high word first, each word big-endian (Modbus's own byte
 * order carried to 32 bits; many devices use {@link WordOrder#CDAB} instead).
 *
 * <p>Failures: an argument out of range throws {@link IllegalArgumentException} before anything is sent; a refused
 * write or read (an exception response) throws {@link ModbusException} naming unit, function and code; a damaged
 * reply (bad CRC/LRC) throws {@link RemoteProtocolException} naming this unit; a unit that does not answer throws
 * {@link dev.labwire.core.RequestTimeoutException} after the bus's timeout and the bus goes on serving the other units.
 * Thread-safe (the bus serializes the exchanges).
 */
public final class ModbusMfc {
    /** Holding register of the set-point float. */
    public static final int SET_POINT = 0;
    /** Holding register of the measured-flow float. */
    public static final int FLOW = 2;
    /** Holding register of the gas number. */
    public static final int GAS = 4;
    /** Holding register of the status word. */
    public static final int STATUS = 5;
    /** How many holding registers the map has. */
    public static final int REGISTERS = 6;
    /** The word order of the floats. */
    public static final WordOrder WORD_ORDER = WordOrder.ABCD;

    private final ModbusUnit unit;
    private final Duration timeout;

    /** A driver for {@code unit}, each exchange with the bus's default timeout. */
    public ModbusMfc(ModbusUnit unit) {
        this(unit, null);
    }

    /**
     * A driver for {@code unit} whose exchanges each have {@code timeout} (waiting for the bus included; null: the
     * bus's default). Turns on a bus are fair, so a call may wait for a dead unit's timeout: keep a dead unit's timeout
     * short and a live unit's longer than it.
     *
     * @throws IllegalArgumentException when {@code timeout} is not positive
     */
    public ModbusMfc(ModbusUnit unit, Duration timeout) {
        this.unit = Objects.requireNonNull(unit, "unit");
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.timeout = timeout;
    }

    /** The Modbus unit number. */
    public int unit() {
        return unit.unit();
    }

    /**
     * Writes the set-point (FC 16, two registers).
     *
     * @throws IllegalArgumentException when {@code value} is negative or not finite
     */
    public void setPoint(double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException("set-point must be a finite number >= 0: " + value);
        }
        call(ModbusCall.writeMultipleRegisters(SET_POINT, WORD_ORDER.fromFloat((float) value)));
    }

    /** Reads the measured flow (FC 3, two registers). */
    public float flow() {
        return WORD_ORDER.toFloat(call(ModbusCall.readHoldingRegisters(FLOW, 2)), 0);
    }

    /** Reads the whole map in one request (FC 3, {@value #REGISTERS} registers). */
    public ModbusMfcReading read() {
        int[] r = call(ModbusCall.readHoldingRegisters(SET_POINT, REGISTERS));
        return new ModbusMfcReading(unit.unit(), WORD_ORDER.toFloat(r, SET_POINT), WORD_ORDER.toFloat(r, FLOW), r[GAS],
                r[STATUS]);
    }

    /**
     * Selects gas number {@code gas} (FC 6).
     *
     * @throws IllegalArgumentException when {@code gas} is outside 0..65535
     */
    public void selectGas(int gas) {
        if (gas < 0 || gas > 0xFFFF) {
            throw new IllegalArgumentException("gas number must be 0..65535: " + gas);
        }
        call(ModbusCall.writeSingleRegister(GAS, gas));
    }

    /** Runs {@code call}; adds the unit to a damaged-reply error (the core names the check values, the driver the device). */
    private <T> T call(ModbusCall<T> call) {
        try {
            return timeout == null ? unit.call(call) : unit.call(call, timeout);
        } catch (ModbusException e) {
            throw e;
        } catch (RemoteProtocolException e) {
            throw new RemoteProtocolException("Modbus MFC unit " + unit.unit() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ModbusMfc[unit " + unit.unit() + "]";
    }
}
