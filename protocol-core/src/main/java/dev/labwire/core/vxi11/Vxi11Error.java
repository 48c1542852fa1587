package dev.labwire.core.vxi11;

/**
 * The error codes a VXI-11 device returns in the {@code error} field of every core and abort channel result
 * (VXI-11 rev 1.0, section B.5.2 "Device_ErrorCode"), each with the text the specification gives it.
 * {@link #forCode(int)} maps a code from the wire; codes the specification does not define map to {@code null}
 * (a {@link Vxi11Exception} then shows the number).
 */
public enum Vxi11Error {
    /** 0: the call succeeded. */
    NO_ERROR(0, "no error"),
    /** 1: the device did not understand the call. */
    SYNTAX_ERROR(1, "syntax error"),
    /** 3: the device named in create_link cannot be reached. */
    DEVICE_NOT_ACCESSIBLE(3, "device not accessible"),
    /** 4: the link id is not (or no longer) valid. */
    INVALID_LINK_IDENTIFIER(4, "invalid link identifier"),
    /** 5: a parameter is out of range, e.g. an unknown device name. */
    PARAMETER_ERROR(5, "parameter error"),
    /** 6: the interrupt channel has not been made (create_intr_chan). */
    CHANNEL_NOT_ESTABLISHED(6, "channel not established"),
    /** 8: the device does not support this call. */
    OPERATION_NOT_SUPPORTED(8, "operation not supported"),
    /** 9: the device has no resources left (e.g. links). */
    OUT_OF_RESOURCES(9, "out of resources"),
    /** 11: another link holds the lock and lock_timeout ran out. */
    DEVICE_LOCKED_BY_ANOTHER_LINK(11, "device locked by another link"),
    /** 12: device_unlock without holding the lock. */
    NO_LOCK_HELD_BY_THIS_LINK(12, "no lock held by this link"),
    /** 15: io_timeout ran out before the operation completed. */
    IO_TIMEOUT(15, "I/O timeout"),
    /** 17: the device failed the I/O. */
    IO_ERROR(17, "I/O error"),
    /** 21: the address given (create_intr_chan) is not valid. */
    INVALID_ADDRESS(21, "invalid address"),
    /** 23: the operation was ended by device_abort. */
    ABORT(23, "abort"),
    /** 29: create_intr_chan while the channel already exists. */
    CHANNEL_ALREADY_ESTABLISHED(29, "channel already established");

    private final int code;
    private final String text;

    Vxi11Error(int code, String text) {
        this.code = code;
        this.text = text;
    }

    /** The number on the wire. */
    public int code() {
        return code;
    }

    /** The specification's name for it, e.g. {@code "device locked by another link"}. */
    public String text() {
        return text;
    }

    /** The error with this code, or {@code null} for a code VXI-11 rev 1.0 does not define. */
    public static Vxi11Error forCode(int code) {
        for (Vxi11Error e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }

    /** {@code "11 (device locked by another link)"}; for an undefined code {@code "99 (not a VXI-11 error code)"}. */
    public static String describe(int code) {
        Vxi11Error e = forCode(code);
        return code + " (" + (e == null ? "not a VXI-11 error code" : e.text) + ")";
    }
}
