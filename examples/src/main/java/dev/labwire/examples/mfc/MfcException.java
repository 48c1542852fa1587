package dev.labwire.examples.mfc;

/**
 * A mass flow controller refused a command: an Alicat answered {@code ?} (a command it does not know, or a value
 * it does not take), or a Modbus MFC answered with an exception. The message names the unit and the command.
 */
public final class MfcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** With the message naming unit and command. */
    public MfcException(String message) {
        super(message);
    }

    /** With the message naming unit and command, and what the device answered. */
    public MfcException(String message, Throwable cause) {
        super(message, cause);
    }
}
