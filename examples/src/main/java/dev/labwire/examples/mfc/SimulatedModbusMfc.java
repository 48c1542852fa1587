package dev.labwire.examples.mfc;

import dev.labwire.mock.MockModbus;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A simulated Modbus mass flow controller with {@link ModbusMfc}'s register map: a {@link MockModbus#handler handler}
 * for one unit of a {@link MockModbus} (RTU on a pty or TCP on loopback). It answers FC 3 (read holding registers) over
 * the map, FC 16 on the set-point (both registers at once) and FC 6 / FC 16 on the gas register; anything else gets a
 * Modbus exception as a device would: 1 ILLEGAL FUNCTION, 2 ILLEGAL DATA ADDRESS (outside the map, a read-only register,
 * half a float), 3 ILLEGAL DATA VALUE (a bad quantity, a set-point outside 0..full scale or not a number, a gas number
 * past {@link #GASES}).
 *
 * <p>The flow follows the set-point as a first-order lag with time constant τ, exactly as {@link SimulatedAlicat}:
 * {@code flow(t) = sp + (f0 - sp)·e^(-(t - t0)/τ)} from the set-point change at t0, with time from the clock given
 * (nanoseconds, {@link System#nanoTime()} by default); {@link #expectedFlow(long)} is the model. Thread-safe.
 */
public final class SimulatedModbusMfc {
    /** Gas numbers this device knows: 0..{@value} - 1. */
    public static final int GASES = 12;

    private final int unit;
    private final double tauNanos;
    private final double fullScale;
    private final LongSupplier clock;
    // guarded by this
    private double setPoint;
    private double flow0;
    private long t0;
    private int gas;

    private SimulatedModbusMfc(int unit, Duration tau, double fullScale, LongSupplier clock) {
        this.unit = unit;
        this.tauNanos = tau.toNanos();
        this.fullScale = fullScale;
        this.clock = clock;
        this.t0 = clock.getAsLong();
    }

    /**
     * Makes unit {@code unit} of {@code mock} this device: flow at rest, set-point 0, gas 0, the system clock.
     *
     * @throws IllegalArgumentException when {@code tau} is not positive or {@code fullScale} not above zero
     */
    public static SimulatedModbusMfc on(MockModbus mock, int unit, Duration tau, double fullScale) {
        return on(mock, unit, tau, fullScale, System::nanoTime);
    }

    /** As {@link #on(MockModbus, int, Duration, double)}, with time from {@code clock} (nanoseconds). */
    public static SimulatedModbusMfc on(MockModbus mock, int unit, Duration tau, double fullScale, LongSupplier clock) {
        if (tau.isNegative() || tau.isZero()) {
            throw new IllegalArgumentException("time constant must be positive: " + tau);
        }
        if (!(fullScale > 0)) {
            throw new IllegalArgumentException("full scale must be above zero: " + fullScale);
        }
        SimulatedModbusMfc d = new SimulatedModbusMfc(unit, tau, fullScale, Objects.requireNonNull(clock, "clock"));
        mock.handler(unit, d::answer);
        return d;
    }

    /** The unit number. */
    public int unit() {
        return unit;
    }

    /** The current set-point. */
    public synchronized double setPoint() {
        return setPoint;
    }

    /** The current gas number. */
    public synchronized int gas() {
        return gas;
    }

    /** The flow the model gives at {@code nanos} (same clock as the device's). */
    public synchronized double expectedFlow(long nanos) {
        return flowAt(nanos);
    }

    /** The clock's reading, nanoseconds. */
    public long now() {
        return clock.getAsLong();
    }

    private double flowAt(long nanos) {
        double dt = Math.max(0, nanos - t0);
        return setPoint + (flow0 - setPoint) * Math.exp(-dt / tauNanos);
    }

    private synchronized byte[] answer(byte[] pdu) {
        int fc = pdu[0] & 0xFF;
        long now = clock.getAsLong();
        return switch (fc) {
            case 0x03 -> read(pdu, now);
            case 0x06 -> writeSingle(pdu);
            case 0x10 -> writeMultiple(pdu, now);
            default -> exception(fc, 1);
        };
    }

    private byte[] read(byte[] pdu, long now) {
        if (pdu.length != 5) {
            return exception(3, 3);
        }
        int address = u16(pdu, 1);
        int count = u16(pdu, 3);
        if (count < 1 || count > 125) {
            return exception(3, 3);
        }
        if (address + count > ModbusMfc.REGISTERS) {
            return exception(3, 2);
        }
        int[] map = new int[ModbusMfc.REGISTERS];
        int[] sp = ModbusMfc.WORD_ORDER.fromFloat((float) setPoint);
        int[] flow = ModbusMfc.WORD_ORDER.fromFloat((float) flowAt(now));
        map[ModbusMfc.SET_POINT] = sp[0];
        map[ModbusMfc.SET_POINT + 1] = sp[1];
        map[ModbusMfc.FLOW] = flow[0];
        map[ModbusMfc.FLOW + 1] = flow[1];
        map[ModbusMfc.GAS] = gas;
        map[ModbusMfc.STATUS] = 0;
        byte[] reply = new byte[2 + 2 * count];
        reply[0] = 3;
        reply[1] = (byte) (2 * count);
        for (int i = 0; i < count; i++) {
            reply[2 + 2 * i] = (byte) (map[address + i] >> 8);
            reply[3 + 2 * i] = (byte) map[address + i];
        }
        return reply;
    }

    private byte[] writeSingle(byte[] pdu) {
        if (pdu.length != 5) {
            return exception(6, 3);
        }
        if (u16(pdu, 1) != ModbusMfc.GAS) {
            return exception(6, 2);
        }
        int g = u16(pdu, 3);
        if (g >= GASES) {
            return exception(6, 3);
        }
        gas = g;
        return pdu; // FC 6 echoes the request
    }

    private byte[] writeMultiple(byte[] pdu, long now) {
        if (pdu.length < 6) {
            return exception(0x10, 3);
        }
        int address = u16(pdu, 1);
        int count = u16(pdu, 3);
        int bytes = pdu[5] & 0xFF;
        if (count < 1 || count > 123 || bytes != 2 * count || pdu.length != 6 + bytes) {
            return exception(0x10, 3);
        }
        if (address == ModbusMfc.SET_POINT && count == 2) {
            float v = ModbusMfc.WORD_ORDER.toFloat(new int[] {u16(pdu, 6), u16(pdu, 8)}, 0);
            if (!(v >= 0 && v <= fullScale)) {
                return exception(0x10, 3);
            }
            flow0 = flowAt(now);
            t0 = now;
            setPoint = v;
        } else if (address == ModbusMfc.GAS && count == 1) {
            int g = u16(pdu, 6);
            if (g >= GASES) {
                return exception(0x10, 3);
            }
            gas = g;
        } else {
            return exception(0x10, 2);
        }
        return new byte[] {0x10, pdu[1], pdu[2], pdu[3], pdu[4]};
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    private static byte[] exception(int function, int code) {
        return new byte[] {(byte) (function | 0x80), (byte) code};
    }

    @Override
    public String toString() {
        return "SimulatedModbusMfc[unit " + unit + "]";
    }
}
