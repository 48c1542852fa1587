package dev.labwire.examples.driver;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.StaleReplyPolicy;
import dev.labwire.core.scpi.ScpiError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The driver template: a typed driver for a SCPI bench power supply on top of {@link BlockingClient}. Copy it
 * for a new device: one method per thing the device does, arguments checked before anything is sent, every
 * setting followed by {@code SYST:ERR?} so a refused setting is an exception at the call that caused it, not a
 * surprise later. Its tests ({@code PowerSupplyTest}) run against {@link dev.labwire.mock.MockInstrument}.
 *
 * <pre>{@code
 * try (PowerSupply psu = PowerSupply.open("tcp://192.168.1.50:5025")) {
 *     psu.setVoltage(12.0);
 *     psu.setCurrentLimit(0.5);
 *     psu.output(true);
 *     double v = psu.measureVoltage();
 * }
 * }</pre>
 *
 * <p>Ranges: 0..{@value #MAX_VOLTS} V and 0..{@value #MAX_AMPS} A; outside them an
 * {@link IllegalArgumentException} names the value and nothing is sent. Thread-safe (the client is). Failures:
 * those of {@link BlockingClient} (timeouts, link down, protocol errors), plus {@link InstrumentErrorException}
 * when the instrument's error queue is not empty after a setting. On every (re)connect the driver puts the
 * supply in remote mode and clears its status.
 */
public final class PowerSupply implements AutoCloseable {
    /** Highest settable voltage, V. */
    public static final double MAX_VOLTS = 30.0;
    /** Highest settable current limit, A. */
    public static final double MAX_AMPS = 5.0;

    private final BlockingClient client;

    private PowerSupply(BlockingClient client) {
        this.client = client;
    }

    /** Opens the supply at {@code endpoint} (TCP or serial endpoint string). */
    public static PowerSupply open(String endpoint) {
        return new PowerSupply(BlockingClient.builder(endpoint)
                .config(ConnectionConfig.builder()
                        .defaultTimeout(Duration.ofSeconds(2))
                        .staleReplyPolicy(StaleReplyPolicy.scpiResync())
                        .build())
                .onConnect(s -> {
                    s.write("SYST:REM");
                    s.write("*CLS");
                })
                .build());
    }

    /** The {@code *IDN?} answer. */
    public String identity() {
        return client.query("*IDN?");
    }

    /** Sets the output voltage. @throws IllegalArgumentException outside 0..{@value #MAX_VOLTS} V */
    public void setVoltage(double volts) {
        set("VOLT", checkRange("voltage", volts, MAX_VOLTS, "V"));
    }

    /** The voltage setting (not a measurement). */
    public double voltage() {
        return client.queryNumber("VOLT?");
    }

    /** Sets the current limit. @throws IllegalArgumentException outside 0..{@value #MAX_AMPS} A */
    public void setCurrentLimit(double amps) {
        set("CURR", checkRange("current limit", amps, MAX_AMPS, "A"));
    }

    /** The current limit setting. */
    public double currentLimit() {
        return client.queryNumber("CURR?");
    }

    /** Switches the output on or off. */
    public void output(boolean on) {
        setting("OUTP " + (on ? "ON" : "OFF"));
    }

    /** Whether the output is on ({@code OUTP?} answers 1 or 0; ON/OFF are accepted too). */
    public boolean isOutputOn() {
        String r = client.query("OUTP?").trim().toUpperCase(Locale.ROOT);
        return switch (r) {
            case "1", "ON" -> true;
            case "0", "OFF" -> false;
            default -> throw new dev.labwire.core.RemoteProtocolException("OUTP? answered " + r + ", not 1/0");
        };
    }

    /** Measures the output voltage. */
    public double measureVoltage() {
        return client.queryNumber("MEAS:VOLT?");
    }

    /** Measures the output current. */
    public double measureCurrent() {
        return client.queryNumber("MEAS:CURR?");
    }

    @Override
    public void close() {
        client.close();
    }

    private static double checkRange(String what, double value, double max, String unit) {
        if (!(value >= 0 && value <= max)) { // also refuses NaN
            throw new IllegalArgumentException(what + " must be 0.." + max + " " + unit + ": " + value);
        }
        return value;
    }

    private void set(String header, double value) {
        setting(header + " " + String.format(Locale.ROOT, "%.4f", value));
    }

    /** Sends a setting, then reads the error queue until it is empty; a non-empty queue is the setting's failure. */
    private void setting(String command) {
        Objects.requireNonNull(command, "command");
        client.write(command);
        List<ScpiError> errors = new ArrayList<>();
        for (int i = 0; i < 20; i++) { // bounded: a queue that never empties is itself an error
            ScpiError e = ScpiError.parse(client.query("SYST:ERR?"));
            if (e.isNoError()) {
                break;
            }
            errors.add(e);
        }
        if (!errors.isEmpty()) {
            throw new InstrumentErrorException(command, errors);
        }
    }
}
