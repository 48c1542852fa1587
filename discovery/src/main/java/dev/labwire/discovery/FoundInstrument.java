package dev.labwire.discovery;

import dev.labwire.core.endpoint.Endpoint;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One instrument (or port) that {@link Discovery} found.
 *
 * <p>{@link #endpoint()} is a string that {@link Endpoint#parse} accepts and the clients open:
 * {@code tcp://192.168.1.50:5025}, {@code tcp://[fe80::1%eth0]:5025}, {@code vxi11://192.168.1.50:111/inst0},
 * {@code hislip://192.168.1.50:4880/hislip0}, {@code serial:/dev/ttyUSB0}. Manufacturer, model, serial number and
 * firmware come from the service's DNS-SD TXT record (the LXI keys {@code Manufacturer}, {@code Model},
 * {@code SerialNumber}, {@code FirmwareVersion}), from the USB descriptor for a serial port, or from the
 * instrument's {@code *IDN?} answer when {@link Discovery.Builder#identify(boolean) identifying}; absent parts are
 * empty {@link Optional}s, never {@code null}.
 *
 * @param endpoint      the endpoint string to open
 * @param source        how it was found
 * @param via           a short human description of what announced it, e.g.
 *                      {@code _scpi-raw._tcp "Bench PSU" on psu-1.local.} or {@code USB 0403:6001 "FT232R USB UART"}
 * @param host          the host name the service named (mDNS: its SRV target, e.g. {@code psu-1.local.}), when known
 * @param manufacturer  the manufacturer, when known
 * @param model         the model, when known
 * @param serialNumber  the serial number, when known
 * @param firmware      the firmware version, when known
 * @param properties    every TXT key and value as announced (for a serial port: {@code usb}, {@code location});
 *                      copied, unmodifiable, sorted by key
 * @param identity      the {@code *IDN?} answer, when identifying and the instrument answered
 * @param identifyError why identifying failed (refused, timed out, a transport labwire cannot open yet), when it
 *                      was tried and failed
 */
public record FoundInstrument(String endpoint, Source source, String via, Optional<String> host,
                              Optional<String> manufacturer, Optional<String> model, Optional<String> serialNumber,
                              Optional<String> firmware, Map<String, String> properties, Optional<String> identity,
                              Optional<String> identifyError) {

    /** Requires every component to be non-null and {@code endpoint} to parse; copies {@code properties}. */
    public FoundInstrument {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(via, "via");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(manufacturer, "manufacturer");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(serialNumber, "serialNumber");
        Objects.requireNonNull(firmware, "firmware");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(identifyError, "identifyError");
        Endpoint.parse(endpoint); // a result users cannot paste is a bug here, not their problem
        properties = Map.copyOf(new TreeMap<>(Objects.requireNonNull(properties, "properties")));
    }

    /**
     * This result with the instrument's {@code *IDN?} answer: manufacturer, model, serial number and firmware are
     * taken from its four comma-separated fields (IEEE 488.2 10.14) where the announcement did not give them.
     */
    public FoundInstrument withIdentity(String idn) {
        Objects.requireNonNull(idn, "idn");
        String[] f = idn.split(",", -1);
        return new FoundInstrument(endpoint, source, via, host,
                manufacturer.or(() -> field(f, 0)), model.or(() -> field(f, 1)),
                serialNumber.or(() -> field(f, 2)), firmware.or(() -> field(f, 3)),
                properties, Optional.of(idn), Optional.empty());
    }

    /** This result with the reason identifying it failed. */
    public FoundInstrument withIdentifyError(String error) {
        Objects.requireNonNull(error, "error");
        return new FoundInstrument(endpoint, source, via, host, manufacturer, model, serialNumber, firmware,
                properties, Optional.empty(), Optional.of(error));
    }

    /** Whether this is a network instrument (not a local serial port). */
    public boolean isNetwork() {
        return source != Source.SERIAL;
    }

    private static Optional<String> field(String[] f, int i) {
        if (i >= f.length) {
            return Optional.empty();
        }
        String s = f[i].strip();
        return s.isEmpty() || s.equals("0") && i == 2 ? Optional.empty() : Optional.of(s);
    }

    /** {@code tcp://192.168.1.50:5025 (MDNS _scpi-raw._tcp "PSU" ...) ACME PSU-3000 SN42}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(endpoint).append(" (").append(source).append(' ').append(via).append(')');
        manufacturer.ifPresent(m -> b.append(' ').append(m));
        model.ifPresent(m -> b.append(' ').append(m));
        serialNumber.ifPresent(m -> b.append(' ').append(m));
        return b.toString();
    }
}
