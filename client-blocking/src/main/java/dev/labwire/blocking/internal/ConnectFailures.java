package dev.labwire.blocking.internal;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Tells a connect attempt that failed for good from one worth retrying at once, for the fail-fast wait for the
 * first link ({@code awaitReady}, {@code ready}): nobody listens on the port, the host is unknown, and for serial
 * links what {@code dev.labwire.serial.internal.ConnectFailures} says (no such port, port busy, permission
 * denied...). A connect that timed out, a network that is unreachable or any other error is not definite.
 *
 * <p>The serial classifier is asked only when the failure holds a {@code dev.labwire.serial} exception, which only a
 * serial link throws: a TCP-only program never loads the optional serial transport.
 */
final class ConnectFailures {

    private ConnectFailures() {}

    /**
     * A short lower-case phrase for a definite connect failure ({@code "connection refused"}, {@code "unknown host"},
     * {@code "no such port"}, ...), or null when {@code failure} may pass on a retry. Looks through the cause chain.
     */
    static String definite(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getClass().getName().startsWith("dev.labwire.serial.")) {
                return SerialSupport.definite(failure);
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnknownHostException) {
                return "unknown host";
            }
            // a connect timeout is a ConnectException too in some transports (Netty's ConnectTimeoutException):
            // only the refusal (RST to our SYN, ECONNREFUSED) is definite
            if (t instanceof ConnectException && t.getMessage() != null
                    && t.getMessage().toLowerCase(Locale.ROOT).contains("refused")) {
                return "connection refused";
            }
        }
        return null;
    }
}
