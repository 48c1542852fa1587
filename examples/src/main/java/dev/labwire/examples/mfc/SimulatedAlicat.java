package dev.labwire.examples.mfc;

import dev.labwire.mock.MockBusDevice;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A simulated Alicat-style mass flow controller: a {@link MockBusDevice} personality on a {@link MockInstrument} bus
 * that answers {@code A} (poll), {@code AS <value>} (set-point) and {@code AG<n>} (gas select) with the data frame
 * {@code A +014.70 +025.00 +000.00 +000.00 +000.00 Air}, and anything else with {@code A ?}.
 *
 * <p>The mass flow follows the set-point as a first-order lag with time constant {@link #timeConstant()}: after a
 * set-point change at time t0 from flow f0, {@code flow(t) = sp + (f0 - sp)·e^(-(t - t0)/τ)}, with time from the clock
 * given (nanoseconds, {@link System#nanoTime()} by default), so {@link #expectedFlow(long)} says exactly what the device
 * will answer at any instant. The volumetric flow is the mass flow scaled by the ideal-gas ratio of the simulated
 * pressure and temperature to standard conditions (14.696 psia, 25 C). Thread-safe.
 */
public final class SimulatedAlicat {
    /** Gas short names by Alicat gas number (the first twelve of the standard table). */
    public static final List<String> GASES =
            List.of("Air", "Ar", "CH4", "CO", "CO2", "C2H6", "H2", "He", "N2", "N2O", "Ne", "O2");
    private static final double PRESSURE = 14.70;
    private static final double TEMPERATURE = 25.0;

    private final MockBusDevice device;
    private final double tauNanos;
    private final double fullScale;
    private final LongSupplier clock;
    // guarded by this
    private double setPoint;
    private double flow0;
    private long t0;
    private int gas;

    private SimulatedAlicat(MockBusDevice device, Duration tau, double fullScale, LongSupplier clock) {
        this.device = device;
        this.tauNanos = tau.toNanos();
        this.fullScale = fullScale;
        this.clock = clock;
        this.t0 = clock.getAsLong();
        device.responder(this::answer);
    }

    /**
     * Installs the personality on {@code mock}'s bus device {@code unitId}, flow at rest, set-point 0, gas Air, the
     * system clock.
     *
     * @throws IllegalArgumentException when {@code tau} is not positive or {@code fullScale} not above zero
     */
    public static SimulatedAlicat on(MockInstrument mock, String unitId, Duration tau, double fullScale) {
        return on(mock, unitId, tau, fullScale, System::nanoTime);
    }

    /** As {@link #on(MockInstrument, String, Duration, double)}, with time from {@code clock} (nanoseconds). */
    public static SimulatedAlicat on(MockInstrument mock, String unitId, Duration tau, double fullScale,
            LongSupplier clock) {
        if (tau.isNegative() || tau.isZero()) {
            throw new IllegalArgumentException("time constant must be positive: " + tau);
        }
        if (!(fullScale > 0)) {
            throw new IllegalArgumentException("full scale must be above zero: " + fullScale);
        }
        return new SimulatedAlicat(mock.busDevice(unitId), tau, fullScale, Objects.requireNonNull(clock, "clock"));
    }

    /** The bus device, for faults ({@link MockBusDevice#silent}, {@link MockBusDevice#delay}) and its command log. */
    public MockBusDevice device() {
        return device;
    }

    /** The time constant τ. */
    public Duration timeConstant() {
        return Duration.ofNanos((long) tauNanos);
    }

    /** The current set-point. */
    public synchronized double setPoint() {
        return setPoint;
    }

    /** The mass flow the model gives at {@code nanos} (same clock as the device's). */
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

    private synchronized MockReply answer(String command) {
        String c = command.trim().toUpperCase(Locale.ROOT);
        long now = clock.getAsLong();
        if (c.startsWith("S")) {
            double v;
            try {
                v = Double.parseDouble(c.substring(1).trim());
            } catch (NumberFormatException e) {
                return MockReply.line(" ?");
            }
            if (v < 0 || v > fullScale) {
                return MockReply.line(" ?");
            }
            flow0 = flowAt(now);
            t0 = now;
            setPoint = v;
        } else if (c.startsWith("G")) {
            int g;
            try {
                g = Integer.parseInt(c.substring(1).trim());
            } catch (NumberFormatException e) {
                return MockReply.line(" ?");
            }
            if (g < 0 || g >= GASES.size()) {
                return MockReply.line(" ?");
            }
            gas = g;
        } else if (!c.isEmpty()) {
            return MockReply.line(" ?");
        }
        double mass = flowAt(now);
        double vol = mass * (14.696 / PRESSURE) * ((TEMPERATURE + 273.15) / 298.15);
        return MockReply.line(String.format(Locale.ROOT, " %+07.2f %+07.2f %+07.2f %+07.2f %+07.2f %s",
                PRESSURE, TEMPERATURE, vol, mass, setPoint, GASES.get(gas)));
    }
}
