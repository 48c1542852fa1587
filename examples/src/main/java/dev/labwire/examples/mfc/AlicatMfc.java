package dev.labwire.examples.mfc;

import dev.labwire.blocking.BusDevice;
import dev.labwire.core.Expect;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * A reference driver for an Alicat-style mass flow controller on an RS485 bus, over a {@link BusDevice} of a
 * {@link dev.labwire.blocking.BlockingBus} with {@link dev.labwire.core.bus.Addressing#asciiPrefix()} addressing (the
 * unit id, {@code A} to {@code Z}, prefixes every command and every reply). Commands, from Alicat's serial primer:
 *
 * <ul>
 *   <li>{@link #poll()}: {@code A} alone, answered by the data frame ({@link AlicatReading});</li>
 *   <li>{@link #setPoint(double)}: {@code AS 50.0}, answered by the data frame with the new set-point;</li>
 *   <li>{@link #selectGas(int)}: {@code AG8}, answered by the data frame with the new gas.</li>
 * </ul>
 *
 * <p>A real Alicat ends commands and replies with a carriage return ({@code \r}, 38400 or 19200 baud 8N1): give the
 * bus {@code writeTerminator("\r")} and {@code Framing.lines("\r")}. The simulated device ({@link SimulatedAlicat}) takes
 * the connection defaults. A {@code ?} answer throws {@link MfcException}; a frame that cannot be parsed throws
 * {@link RemoteProtocolException} naming the unit and the frame; a unit that does not answer throws
 * {@link dev.labwire.core.RequestTimeoutException} after the bus's timeout, and the bus goes on serving the other
 * units. Thread-safe (the bus serializes the exchanges).
 */
public final class AlicatMfc {
    private final BusDevice device;
    private final String unitId;
    private final Duration timeout;

    /**
     * A driver for the unit behind {@code device}, each exchange with the bus's default timeout.
     *
     * @throws IllegalArgumentException when the device's address is not one letter {@code A}..{@code Z}
     */
    public AlicatMfc(BusDevice device) {
        this(device, null);
    }

    /**
     * A driver for the unit behind {@code device} whose exchanges each have {@code timeout} (waiting for the bus
     * included; null: the bus's default). Turns on a bus are fair, so a poll may wait for a dead unit's timeout: keep
     * a dead unit's timeout short and a live unit's longer than it.
     *
     * @throws IllegalArgumentException when the device's address is not one letter {@code A}..{@code Z}, or
     *                                  {@code timeout} is not positive
     */
    public AlicatMfc(BusDevice device, Duration timeout) {
        this.device = Objects.requireNonNull(device, "device");
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.timeout = timeout;
        if (device.address().isNumeric() || !device.address().text().matches("[A-Z]")) {
            throw new IllegalArgumentException("an Alicat unit id is one letter A..Z, not " + device.address());
        }
        this.unitId = device.address().text();
    }

    /** The unit id. */
    public String unitId() {
        return unitId;
    }

    /** Polls the data frame. */
    public AlicatReading poll() {
        return exchange("");
    }

    /**
     * Sets the set-point (in the device's flow units) and returns the data frame that confirms it.
     *
     * @throws IllegalArgumentException when {@code value} is negative or not finite (nothing is sent)
     * @throws MfcException             when the device refuses it (answers {@code ?})
     */
    public AlicatReading setPoint(double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException("set-point must be a finite number >= 0: " + value);
        }
        return exchange(String.format(Locale.ROOT, "S %.3f", value));
    }

    /**
     * Selects gas number {@code gas} from the device's gas table (Alicat numbering: 0 Air, 1 Ar, 2 CH4, 3 CO, 4 CO2,
     * 5 C2H6, 6 H2, 7 He, 8 N2, 9 N2O, 10 Ne, 11 O2...) and returns the data frame showing it.
     *
     * @throws IllegalArgumentException when {@code gas} is outside 0..255 (nothing is sent)
     * @throws MfcException             when the device refuses it (answers {@code ?})
     */
    public AlicatReading selectGas(int gas) {
        if (gas < 0 || gas > 255) {
            throw new IllegalArgumentException("gas number must be 0..255: " + gas);
        }
        return exchange("G" + gas);
    }

    private AlicatReading exchange(String command) {
        // the poll is the unit id alone: an empty payload, which a text request refuses
        Request r = Request.of(command.getBytes(StandardCharsets.US_ASCII), Expect.line());
        String reply = device.request(timeout == null ? r : r.withTimeout(timeout)).text();
        if (reply.trim().equals("?")) {
            throw new MfcException("MFC " + unitId + " refused \"" + unitId + command + "\" (answered ?)");
        }
        return AlicatReading.parse(unitId, reply);
    }

    @Override
    public String toString() {
        return "AlicatMfc[" + unitId + "]";
    }
}
