package dev.labwire.core.vxi11;

import dev.labwire.core.RemoteProtocolException;

/**
 * A VXI-11 device answered a call with a non-zero {@code error} code. The message names the procedure and
 * the code with its meaning, e.g. {@code device_lock: VXI-11 error 11 (device locked by another link)}.
 * The link stays usable unless the code says otherwise (4, invalid link identifier).
 */
public class Vxi11Exception extends RemoteProtocolException {
    private static final long serialVersionUID = 1L;

    private final String procedure;
    private final int code;

    /**
     * @param procedure the VXI-11 procedure that failed, as the specification names it ({@code device_write})
     * @param code the error code from the wire (any value; undefined codes are shown as such)
     */
    public Vxi11Exception(String procedure, int code) {
        super(procedure + ": VXI-11 error " + Vxi11Error.describe(code));
        this.procedure = procedure;
        this.code = code;
    }

    /** The procedure that failed, e.g. {@code "device_read"}. */
    public String procedure() {
        return procedure;
    }

    /** The error code as sent by the device. */
    public int code() {
        return code;
    }

    /** The error, or {@code null} when the code is not one VXI-11 rev 1.0 defines. */
    public Vxi11Error error() {
        return Vxi11Error.forCode(code);
    }
}
