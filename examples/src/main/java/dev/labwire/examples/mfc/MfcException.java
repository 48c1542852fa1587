package dev.labwire.examples.mfc;

/**
 * An Alicat-style mass flow controller refused a command: it answered {@code ?} (a command it does not know, or a
 * value it does not take). The message names the unit and the command. (A Modbus MFC's refusal is the core's
 * {@link dev.labwire.core.modbus.ModbusException}, which names unit, function and exception code.)
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
