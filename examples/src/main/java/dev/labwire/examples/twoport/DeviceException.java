package dev.labwire.examples.twoport;

/** The two-port device answered {@code ERR <text>}: it understood the command and refused it. */
public final class DeviceException extends RuntimeException {
    DeviceException(String command, String text) {
        super("\"" + command + "\" refused: " + text);
    }
}
