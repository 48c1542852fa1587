package dev.labwire.serial;

import dev.labwire.core.endpoint.UsbId;
import com.fazecast.jSerialComm.SerialPort;
import dev.labwire.serial.SerialPortException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Lists the serial ports of this machine and finds one by USB identity. */
public final class SerialPorts {

    private SerialPorts() {}

    /**
     * Every port jSerialComm enumerates, in its order. On Linux that is the {@code /dev/tty*} devices backed by a
     * serial driver (USB adapters, UARTs, {@code ttyACM} devices); ptys are not listed but can still be opened by
     * path.
     *
     * @throws UnsatisfiedLinkError or {@link NoClassDefFoundError} when jSerialComm's native library cannot be
     *                              loaded (see the package documentation on {@code noexec} folders)
     */
    public static List<SerialPortInfo> list() {
        List<SerialPortInfo> ports = new ArrayList<>();
        for (SerialPort p : SerialPort.getCommPorts()) {
            ports.add(info(p));
        }
        return List.copyOf(ports);
    }

    /**
     * The one port whose USB vendor and product id (and serial number, when {@code id} has one) match.
     *
     * @throws SerialPortException {@link Reason#NOT_FOUND} when none matches, {@link Reason#AMBIGUOUS} when
     *                             several do; the message lists the ports seen
     */
    public static SerialPortInfo find(UsbId id) throws SerialPortException {
        List<SerialPortInfo> ports;
        try {
            ports = list();
        } catch (LinkageError e) {
            throw new SerialPortException("usb:" + id, Reason.OTHER, 0, SerialLink.NATIVE_LIBRARY_MISSING, e);
        }
        return select(ports, id);
    }

    /** The matching logic of {@link #find}, on a given list. */
    static SerialPortInfo select(List<SerialPortInfo> ports, UsbId id) throws SerialPortException {
        List<SerialPortInfo> matches = new ArrayList<>();
        for (SerialPortInfo p : ports) {
            if (p.usbId().isPresent()) {
                UsbId u = p.usbId().get();
                if (id.matches(u.vendorId(), u.productId(), u.serialNumber())) {
                    matches.add(p);
                }
            }
        }
        if (matches.size() == 1) {
            return matches.get(0);
        }
        String seen = ports.isEmpty() ? "no ports at all" : ports.size() + " ports: " + ports;
        if (matches.isEmpty()) {
            throw new SerialPortException("usb:" + id, Reason.NOT_FOUND, 0,
                    "no serial port has USB id " + id + "; seen " + seen);
        }
        throw new SerialPortException("usb:" + id, Reason.AMBIGUOUS, 0, matches.size()
                + " serial ports have USB id " + id + ", add the serial number (" + UsbId.FORM + ") to pick one: "
                + matches);
    }

    private static SerialPortInfo info(SerialPort p) {
        String path = p.getSystemPortPath();
        String description = orEmpty(p.getPortDescription());
        Optional<UsbId> usb = Optional.empty();
        int vid = p.getVendorID();
        int pid = p.getProductID();
        if (vid >= 0 && vid <= 0xFFFF && pid >= 0 && pid <= 0xFFFF) {
            usb = Optional.of(new UsbId(vid, pid, usableSerial(p.getSerialNumber())));
        }
        return new SerialPortInfo(path, description, usb, known(p.getPortLocation()));
    }

    // jSerialComm reports "Unknown" (and "0-0" for the location) where the OS says nothing.
    private static Optional<String> known(String s) {
        if (s == null || s.isBlank() || s.equals("Unknown") || s.equals("0-0")) {
            return Optional.empty();
        }
        return Optional.of(s);
    }

    private static String usableSerial(String s) {
        Optional<String> k = known(s);
        if (k.isEmpty()) {
            return null;
        }
        try {
            new UsbId(0, 0, k.get());
            return k.get();
        } catch (IllegalArgumentException e) {
            return null; // a serial with spaces cannot be matched through an Endpoint string anyway
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
