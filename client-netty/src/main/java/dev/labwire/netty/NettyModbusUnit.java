package dev.labwire.netty;

import dev.labwire.core.bus.Address;
import dev.labwire.core.bus.Bus;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.modbus.ModbusCall;
import dev.labwire.core.modbus.WordOrder;
import java.time.Duration;
import dev.labwire.netty.internal.NettyDriver;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One Modbus unit (slave) on a {@link NettyBus} opened with a {@link dev.labwire.core.modbus.Modbus} config (RTU,
 * ASCII or TCP): typed calls that return at once with a future.
 *
 * <pre>{@code
 * NettyBus bus = NettyBus.open("tcp://192.168.1.20:502", Modbus.tcp());
 * NettyModbusUnit plc = bus.modbusUnit(1);
 * plc.readHoldingRegisters(0, 4).thenAccept(regs -> ...);          // FC 3
 * plc.readFloat(10, WordOrder.CDAB).thenAccept(flow -> ...);        // FC 3, two registers
 * }</pre>
 *
 * <p>Addresses are the PDU's 0-based ones. Registers come back as 0..65535. A bad argument (a quantity past the spec's
 * limit, an address past 65535, a broadcast that reads) throws {@link IllegalArgumentException} at the call, before a
 * future exists, and nothing is sent. A future fails with a {@link dev.labwire.core.modbus.ModbusException} (wrapped in
 * a {@link java.util.concurrent.CompletionException}) naming unit, function and exception code for an exception
 * response; with a {@link dev.labwire.core.RemoteProtocolException} for a damaged reply (CRC, LRC) or one that does not
 * answer; with a {@link dev.labwire.core.RequestTimeoutException} when the unit does not answer within the bus's
 * timeout (the bus moves on to the next unit). Calls on unit 0 over RTU/ASCII are broadcasts: they complete once
 * written. Futures complete on the bus's event loop (or its callback executor): callbacks must not block. Thread-safe.
 */
public final class NettyModbusUnit {
    private final NettyDriver driver;
    private final BusConfig config;
    private final int unit;
    private final Address address;

    NettyModbusUnit(NettyDriver driver, BusConfig config, int unit) {
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

    /** Runs {@code call} with the bus's default timeout; completes with its value (null for writes). */
    public <T> CompletableFuture<T> call(ModbusCall<T> call) {
        Objects.requireNonNull(call, "call");
        return driver.request(address, call.request(unit, config.addressing()), Bus.Priority.NORMAL, r -> call.result(unit, r));
    }

    /** Runs {@code call} with its own whole-exchange timeout (waiting for the bus counts). */
    public <T> CompletableFuture<T> call(ModbusCall<T> call, Duration timeout) {
        Objects.requireNonNull(call, "call");
        return driver.request(address, call.request(unit, config.addressing(), timeout), Bus.Priority.NORMAL, r -> call.result(unit, r));
    }

    /** {@code call}'s value made into what {@code then} makes of it, in the call's one stage (completed on the loop). */
    private <R, T> CompletableFuture<T> call(ModbusCall<R> call, java.util.function.Function<R, T> then) {
        return driver.request(address, call.request(unit, config.addressing()), Bus.Priority.NORMAL,
                r -> then.apply(call.result(unit, r)));
    }

    /** FC 1: {@code count} coils (1..2000) from {@code address}. */
    public CompletableFuture<boolean[]> readCoils(int address, int count) {
        return call(ModbusCall.readCoils(address, count));
    }

    /** FC 2: {@code count} discrete inputs (1..2000) from {@code address}. */
    public CompletableFuture<boolean[]> readDiscreteInputs(int address, int count) {
        return call(ModbusCall.readDiscreteInputs(address, count));
    }

    /** FC 3: {@code count} holding registers (1..125) from {@code address}, each 0..65535. */
    public CompletableFuture<int[]> readHoldingRegisters(int address, int count) {
        return call(ModbusCall.readHoldingRegisters(address, count));
    }

    /** FC 4: {@code count} input registers (1..125) from {@code address}, each 0..65535. */
    public CompletableFuture<int[]> readInputRegisters(int address, int count) {
        return call(ModbusCall.readInputRegisters(address, count));
    }

    /** FC 5: sets the coil at {@code address}. */
    public CompletableFuture<Void> writeSingleCoil(int address, boolean on) {
        return call(ModbusCall.writeSingleCoil(address, on));
    }

    /** FC 6: writes {@code value} (0..65535, or -32768..-1) into the register at {@code address}. */
    public CompletableFuture<Void> writeSingleRegister(int address, int value) {
        return call(ModbusCall.writeSingleRegister(address, value));
    }

    /** FC 15: writes {@code values} (1..1968) into the coils from {@code address}. */
    public CompletableFuture<Void> writeMultipleCoils(int address, boolean... values) {
        return call(ModbusCall.writeMultipleCoils(address, values));
    }

    /** FC 16: writes {@code values} (1..123) into the registers from {@code address}. */
    public CompletableFuture<Void> writeMultipleRegisters(int address, int... values) {
        return call(ModbusCall.writeMultipleRegisters(address, values));
    }

    /** FC 23: writes {@code values} (1..121) from {@code writeAddress}, then reads {@code readCount} (1..125) from {@code readAddress}. */
    public CompletableFuture<int[]> readWriteMultipleRegisters(int readAddress, int readCount, int writeAddress, int... values) {
        return call(ModbusCall.readWriteMultipleRegisters(readAddress, readCount, writeAddress, values));
    }

    /** FC 3: the float in the holding registers {@code address} and {@code address + 1}, in {@code order}. */
    public CompletableFuture<Float> readFloat(int address, WordOrder order) {
        return call(ModbusCall.readHoldingRegisters(address, 2), r -> order.toFloat(r, 0));
    }

    /** FC 3: the signed 32-bit int in the holding registers {@code address} and {@code address + 1}, in {@code order}. */
    public CompletableFuture<Integer> readInt32(int address, WordOrder order) {
        return call(ModbusCall.readHoldingRegisters(address, 2), r -> order.toInt(r, 0));
    }

    /** FC 16: writes {@code value} into the holding registers {@code address} and {@code address + 1}, in {@code order}. */
    public CompletableFuture<Void> writeFloat(int address, float value, WordOrder order) {
        return writeMultipleRegisters(address, order.fromFloat(value));
    }

    /** FC 16: writes {@code value} into the holding registers {@code address} and {@code address + 1}, in {@code order}. */
    public CompletableFuture<Void> writeInt32(int address, int value, WordOrder order) {
        return writeMultipleRegisters(address, order.fromInt(value));
    }

    @Override
    public String toString() {
        return "NettyModbusUnit[" + unit + " on " + driver.name() + "]";
    }
}
