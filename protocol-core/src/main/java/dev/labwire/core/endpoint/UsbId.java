package dev.labwire.core.endpoint;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A USB device's identity: vendor id, product id and optionally the device's serial number. It survives
 * re-plugging, unlike {@code /dev/ttyUSB0} or {@code COM3}. Written {@code vid:pid[:serial]} with 4 hex digits
 * each, e.g. {@code 0403:6001} (an FTDI FT232R) or {@code 0403:6001:A50285BI}.
 *
 * @param vendorId     USB vendor id, 0 to 0xFFFF
 * @param productId    USB product id, 0 to 0xFFFF
 * @param serialNumber the device's USB serial number, or {@code null} to match any; when given it is non-blank
 *                     printable text without spaces or {@code '?'} (so it fits in an {@link Endpoint} string)
 */
public record UsbId(int vendorId, int productId, String serialNumber) {

    /** The written form, for error messages. */
    public static final String FORM = "vid:pid[:serial]";

    private static final Pattern HEX4 = Pattern.compile("[0-9A-Fa-f]{4}");

    /** Validates the ranges and the serial number. */
    public UsbId {
        checkId("vendor id", vendorId);
        checkId("product id", productId);
        if (serialNumber != null) {
            if (serialNumber.isEmpty()) {
                throw new IllegalArgumentException("USB serial number is empty; use null to match any");
            }
            for (int i = 0; i < serialNumber.length(); i++) {
                char c = serialNumber.charAt(i);
                if (c <= ' ' || c == 0x7f || c == '?') {
                    throw new IllegalArgumentException("USB serial number '" + serialNumber
                            + "' contains a space, control character or '?' at index " + i);
                }
            }
        }
    }

    /** A vendor and product id that matches any serial number. */
    public UsbId(int vendorId, int productId) {
        this(vendorId, productId, null);
    }

    /**
     * Parses {@code vid:pid} or {@code vid:pid:serial}, ids as exactly 4 hex digits.
     *
     * @throws IllegalArgumentException naming the bad part and the expected form
     */
    public static UsbId parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("USB id is " + (text == null ? "null" : "blank")
                    + "; expected " + FORM + " with 4 hex digits each, e.g. 0403:6001 or 0403:6001:A50285BI");
        }
        String[] parts = text.split(":", 3);
        if (parts.length < 2) {
            throw bad(text, "no ':' between vendor and product id");
        }
        if (!HEX4.matcher(parts[0]).matches()) {
            throw bad(text, "bad vendor id '" + parts[0] + "'");
        }
        if (!HEX4.matcher(parts[1]).matches()) {
            throw bad(text, "bad product id '" + parts[1] + "'");
        }
        String serial = null;
        if (parts.length == 3) {
            serial = parts[2];
            if (serial.isEmpty()) {
                throw bad(text, "empty serial number after the second ':'");
            }
        }
        try {
            return new UsbId(Integer.parseInt(parts[0], 16), Integer.parseInt(parts[1], 16), serial);
        } catch (IllegalArgumentException e) {
            throw bad(text, e.getMessage());
        }
    }

    /** Whether a port with these USB properties is this device; the serial number is compared only when set. */
    public boolean matches(int vendorId, int productId, String serialNumber) {
        return this.vendorId == vendorId && this.productId == productId
                && (this.serialNumber == null || this.serialNumber.equals(serialNumber));
    }

    /** {@code vid:pid[:serial]} with lowercase hex, accepted by {@link #parse}. */
    @Override
    public String toString() {
        String ids = String.format(Locale.ROOT, "%04x:%04x", vendorId, productId);
        return serialNumber == null ? ids : ids + ":" + serialNumber;
    }

    private static void checkId(String name, int id) {
        if (id < 0 || id > 0xFFFF) {
            throw new IllegalArgumentException("USB " + name + " " + id + " is out of range 0..0xFFFF");
        }
    }

    private static IllegalArgumentException bad(String text, String what) {
        return new IllegalArgumentException(what + " in USB id '" + text + "'; expected " + FORM
                + " with 4 hex digits each, e.g. 0403:6001 or 0403:6001:A50285BI");
    }
}
