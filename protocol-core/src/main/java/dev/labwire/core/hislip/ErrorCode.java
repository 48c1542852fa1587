package dev.labwire.core.hislip;

/**
 * The control code of a HiSLIP {@code Error} message (IVI-6.1 section 6.3, error notification transaction): a
 * non-fatal error, after which the session goes on; the offending message has been discarded. Codes 6 to 127
 * are reserved, 128 to 255 device defined: {@link #describe(int)} names every code.
 */
public enum ErrorCode {
    UNIDENTIFIED(0, "Unidentified error"),
    UNRECOGNIZED_MESSAGE_TYPE(1, "Unrecognized Message Type"),
    UNRECOGNIZED_CONTROL_CODE(2, "Unrecognized control code"),
    UNRECOGNIZED_VENDOR_DEFINED_MESSAGE(3, "Unrecognized Vendor Defined Message"),
    MESSAGE_TOO_LARGE(4, "Message too large"),
    /** HiSLIP 2.0. */
    AUTHENTICATION_FAILED(5, "Authentication failed");

    private final int code;
    private final String text;

    ErrorCode(int code, String text) {
        this.code = code;
        this.text = text;
    }

    /** The control code byte. */
    public int code() {
        return code;
    }

    /** The spec's wording, used as the default payload of {@link HislipMessage#error}. */
    public String text() {
        return text;
    }

    /** The spec's wording of control code {@code code} (0 to 255), ranges included. */
    public static String describe(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c.text;
            }
        }
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("a HiSLIP control code is one byte (0 to 255): " + code);
        }
        return code < 128 ? "Reserved" : "Device defined error";
    }
}
