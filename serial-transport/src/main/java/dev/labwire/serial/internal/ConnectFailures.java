package dev.labwire.serial.internal;

import dev.labwire.serial.SerialPortException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Tells a connect attempt that failed for good from one worth retrying at once, for the clients' fail-fast wait
 * for the first link ({@code awaitReady}, {@code ready}). "For good" means that retrying within a connect
 * timeout would meet the same answer: nobody listens on the port, the device file does not exist, another
 * program holds the port, the user may not open it, the path is no serial device (a plain file, a directory). A connect that timed out, a network that is unreachable or any
 * other error is not: the next attempt may work.
 *
 * <p>It knows {@link SerialPortException}, so it lives here. This module is optional for the clients: they classify a
 * TCP failure themselves and ask this class only about a failure that holds a {@code dev.labwire.serial} exception
 * (their {@code internal.ConnectFailures}). Exported only to the two client modules.
 */
public final class ConnectFailures {

    private ConnectFailures() {}

    /**
     * A short lower-case phrase for a definite connect failure ({@code "connection refused"}, {@code "no such port"},
     * {@code "port busy"}, {@code "permission denied"}, ...), or null when {@code failure} may pass on a retry.
     * Looks through the cause chain, so a driver's wrapper does not hide the reason.
     */
    public static String definite(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String what = one(t);
            if (what != null) {
                return what;
            }
        }
        return null;
    }

    private static String one(Throwable t) {
        if (t instanceof SerialPortException s) {
            return switch (s.reason()) {
                case NOT_FOUND -> "no such port";
                case BUSY -> "port busy";
                case PERMISSION_DENIED -> "permission denied";
                case AMBIGUOUS -> "ambiguous USB identity";
                case UNSUPPORTED_SETTINGS -> "unsupported settings";
                case OTHER -> NativeErrors.notASerialDevice(s.nativeErrorCode()) ? "not a serial device" : null;
                default -> null;
            };
        }
        if (t instanceof UnknownHostException) {
            return "unknown host";
        }
        // a connect timeout is a ConnectException too in some transports (Netty's ConnectTimeoutException):
        // only the refusal (RST to our SYN, ECONNREFUSED) is definite
        if (t instanceof ConnectException && t.getMessage() != null
                && t.getMessage().toLowerCase(Locale.ROOT).contains("refused")) {
            return "connection refused";
        }
        return null;
    }
}
