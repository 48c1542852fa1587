package dev.labwire.core.internal;

import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.endpoint.FlowControl;
import dev.labwire.core.endpoint.SerialSettings;

/**
 * What a call whose bytes had not all gone out by its deadline is told about a serial link's flow control, the same in
 * both clients. With flow control on, the OS holds a port's output while the device says stop, and a driver sees only
 * a write that does not end: with {@code flow=xonxoff} the OS takes the device's XOFF and XON out of the input (termios
 * {@code IXON}), so neither reaches labwire (the core obeys those that do, see the connection's XON/XOFF handling).
 */
public final class HeldOutput {
    private HeldOutput() {
    }

    /**
     * Why the port may be holding its output, for {@code endpoint}'s flow control; null when it has none (or is no serial
     * line).
     */
    public static String why(Endpoint endpoint) {
        SerialSettings s = endpoint instanceof Endpoint.Serial serial ? serial.settings()
                : endpoint instanceof Endpoint.Rfc2217 r ? r.settings() : null;
        if (s == null || s.flowControl() == FlowControl.NONE) {
            return null;
        }
        return s.flowControl() == FlowControl.XON_XOFF
                ? "the port's output is held: with flow=xonxoff nothing is sent after the device sent XOFF (its input"
                        + " buffer is full) until it sends XON; the OS does the holding and takes both bytes out of the input,"
                        + " so what shows is a write that does not end"
                : "the port's output is held: with flow=rtscts nothing is sent while the device holds CTS off (its input"
                        + " buffer is full, or the cable has no CTS line)";
    }
}
