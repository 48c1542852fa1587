package dev.labwire.serial;

import dev.labwire.core.endpoint.UsbId;
import java.util.Objects;
import java.util.Optional;

/**
 * One serial port as the operating system lists it.
 *
 * <p>Fields that a port may lack are {@link Optional}s, never {@code null}: a built-in UART or a pty has no USB
 * identity, and jSerialComm reports no physical location for some ports.
 *
 * @param path        what to pass to {@link SerialLink#open(String, SerialSettings)}: {@code /dev/ttyUSB0} on
 *                    Linux, {@code COM3} on Windows
 * @param description the device's own description as jSerialComm reports it (for USB: the product string, e.g.
 *                    {@code FT232R USB UART}; for a built-in UART something like {@code Physical Port S0})
 * @param usbId       vendor id, product id and serial number, when the port is a USB device (the serial number
 *                    is {@code null} inside the id when the device has none)
 * @param location    the physical location jSerialComm reports, e.g. {@code 1-1.4:1.0} (bus-port path), when
 *                    known
 */
public record SerialPortInfo(String path, String description, Optional<UsbId> usbId, Optional<String> location) {

    /** Requires every component to be non-null. */
    public SerialPortInfo {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(usbId, "usbId");
        Objects.requireNonNull(location, "location");
    }

    /** {@code /dev/ttyUSB0 "FT232R USB UART" usb:0403:6001:A50285BI @1-1.4:1.0}, for lists in messages. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(path).append(" \"").append(description).append('"');
        usbId.ifPresent(id -> b.append(" usb:").append(id));
        location.ifPresent(l -> b.append(" @").append(l));
        return b.toString();
    }
}
