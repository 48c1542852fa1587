package dev.labwire.blocking;

import dev.labwire.blocking.internal.BlockingDriver;
import dev.labwire.core.bus.Address;
import dev.labwire.core.bus.Bus;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.modbus.ModbusCall;
import dev.labwire.core.modbus.WordOrder;
import java.time.Duration;
import java.util.Objects;

/**
 * One Modbus unit (slave) on a {@link BlockingBus} opened with a {@link dev.labwire.core.modbus.Modbus} config (RTU,
 * ASCII or TCP): typed calls that block until the unit answers.
 *
 * <pre>{@code
 * try (BlockingBus bus = BlockingBus.open("serial:/dev/ttyUSB0?baud=9600", Modbus.rtu(9600))) {
 *     ModbusUnit pump = bus.modbusUnit(1);
 *     int[] regs = pump.readHoldingRegisters(0, 4);          // FC 3
 *     float flow = pump.readFloat(10, WordOrder.CDAB);        // FC 3, two registers
 *     pump.writeSingleRegister(20, 1500);                     // FC 6
 *     bus.modbusUnit(0).writeSingleCoil(0, true);             // a broadcast: returns once written, no reply
 * }
 * }</pre>
 *
 * <p>Addresses are the PDU's 0-based ones ({@code 40001} in a manual's notation is holding register 0). Registers come
 * back as 0..65535. Failures, per call: a bad argument (a quantity past the spec's limit, an address past 65535, a
 * broadcast that reads) is an {@link IllegalArgumentException} at the call, nothing sent; an exception response is a
 * {@link dev.labwire.core.modbus.ModbusException} naming unit, function and exception code; a damaged reply (CRC, LRC)
 * or one that does not answer the request is a {@link dev.labwire.core.RemoteProtocolException}; no answer within the
 * bus's timeout is a {@link dev.labwire.core.RequestTimeoutException}, and the bus moves on to the next unit. Calls on
 * unit 0 over RTU/ASCII are broadcasts: they return once written, and the next exchange waits the broadcast delay.
 * Thread-safe; handles are cheap.
 */
public final class ModbusUnit {
    private final BlockingDriver driver;
    private final BusConfig config;
    private final int unit;
    private final Address address;

    ModbusUnit(BlockingDriver driver, BusConfig config, int unit) {
        this.driver = driver;
        this.config = config;
        this.unit = unit;
        this.address = Address.of(unit);
        config.addressing().encode(address, new byte[0]); // a unit the addressing cannot use fails here
    }

    /** The unit number. */
    public int unit() {
        return unit;
    }

    /** Runs {@code call} with the bus's default timeout and returns its value (null for writes). */
    public <T> T call(ModbusCall<T> call) {
        Objects.requireNonNull(call, "call");
        return call.result(unit, driver.request(address, call.request(unit, config.addressing()), Bus.Priority.NORMAL));
    }

    /** Runs {@code call} with its own whole-exchange timeout (waiting for the bus counts). */
    public <T> T call(ModbusCall<T> call, Duration timeout) {
        Objects.requireNonNull(call, "call");
        return call.result(unit, driver.request(address, call.request(unit, config.addressing(), timeout), Bus.Priority.NORMAL));
    }

    /** FC 1: {@code count} coils (1..2000) from {@code address}. */
    public boolean[] readCoils(int address, int count) {
        return call(ModbusCall.readCoils(address, count));
    }

    /** FC 2: {@code count} discrete inputs (1..2000) from {@code address}. */
    public boolean[] readDiscreteInputs(int address, int count) {
        return call(ModbusCall.readDiscreteInputs(address, count));
    }

    /** FC 3: {@code count} holding registers (1..125) from {@code address}, each 0..65535. */
    public int[] readHoldingRegisters(int address, int count) {
        return call(ModbusCall.readHoldingRegisters(address, count));
    }

    /** FC 4: {@code count} input registers (1..125) from {@code address}, each 0..65535. */
    public int[] readInputRegisters(int address, int count) {
        return call(ModbusCall.readInputRegisters(address, count));
    }

    /** FC 5: sets the coil at {@code address}. */
    public void writeSingleCoil(int address, boolean on) {
        call(ModbusCall.writeSingleCoil(address, on));
    }

    /** FC 6: writes {@code value} (0..65535, or -32768..-1) into the register at {@code address}. */
    public void writeSingleRegister(int address, int value) {
        call(ModbusCall.writeSingleRegister(address, value));
    }

    /** FC 15: writes {@code values} (1..1968) into the coils from {@code address}. */
    public void writeMultipleCoils(int address, boolean... values) {
        call(ModbusCall.writeMultipleCoils(address, values));
    }

    /** FC 16: writes {@code values} (1..123) into the registers from {@code address}. */
    public void writeMultipleRegisters(int address, int... values) {
        call(ModbusCall.writeMultipleRegisters(address, values));
    }

    /** FC 23: writes {@code values} (1..121) from {@code writeAddress}, then reads {@code readCount} (1..125) from {@code readAddress}. */
    public int[] readWriteMultipleRegisters(int readAddress, int readCount, int writeAddress, int... values) {
        return call(ModbusCall.readWriteMultipleRegisters(readAddress, readCount, writeAddress, values));
    }

    /** FC 3: the float in the holding registers {@code address} and {@code address + 1}, in {@code order}. */
    public float readFloat(int address, WordOrder order) {
        return order.toFloat(readHoldingRegisters(address, 2), 0);
    }

    /** FC 3: the signed 32-bit int in the holding registers {@code address} and {@code address + 1}, in {@code order}. */
    public int readInt32(int address, WordOrder order) {
        return order.toInt(readHoldingRegisters(address, 2), 0);
    }

    /** FC 16: writes {@code value} into the holding registers {@code address} and {@code address + 1}, in {@code order}. */
    public void writeFloat(int address, float value, WordOrder order) {
        writeMultipleRegisters(address, order.fromFloat(value));
    }

    /** FC 16: writes {@code value} into the holding registers {@code address} and {@code address + 1}, in {@code order}. */
    public void writeInt32(int address, int value, WordOrder order) {
        writeMultipleRegisters(address, order.fromInt(value));
    }

    @Override
    public String toString() {
        return "ModbusUnit[" + unit + " on " + driver.name() + "]";
    }
}
