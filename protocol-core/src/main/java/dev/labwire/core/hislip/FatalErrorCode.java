package dev.labwire.core.hislip;

/**
 * The control code of a HiSLIP {@code FatalError} message (IVI-6.1 section 6.2, fatal error detection and
 * synchronization recovery). After a FatalError the sender closes both channels of the session; the receiver
 * must reinitialize. Codes 6 to 127 are reserved for HiSLIP extensions, 128 to 255 are device defined:
 * {@link #describe(int)} names every code.
 */
public enum FatalErrorCode {
    UNIDENTIFIED(0, "Unidentified error"),
    POORLY_FORMED_HEADER(1, "Poorly formed message header"),
    CHANNELS_NOT_ESTABLISHED(2, "Attempt to use connection without both channels established"),
    INVALID_INITIALIZATION_SEQUENCE(3, "Invalid Initialization Sequence"),
    MAXIMUM_CLIENTS_EXCEEDED(4, "Server refused connection due to maximum number of clients exceeded"),
    /** HiSLIP 2.0. */
    SECURE_CONNECTION_FAILED(5, "Secure connection failed");

    private final int code;
    private final String text;

    FatalErrorCode(int code, String text) {
        this.code = code;
        this.text = text;
    }

    /** The control code byte. */
    public int code() {
        return code;
    }

    /** The spec's wording, used as the default payload of {@link HislipMessage#fatalError}. */
    public String text() {
        return text;
    }

    /** The spec's wording of control code {@code code} (0 to 255), ranges included. */
    public static String describe(int code) {
        for (FatalErrorCode c : values()) {
            if (c.code == code) {
                return c.text;
            }
        }
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("a HiSLIP control code is one byte (0 to 255): " + code);
        }
        return code < 128 ? "Reserved for HiSLIP extensions" : "Device defined error";
    }
}
