package dev.labwire.core.internal;

/**
 * The message both drivers give the {@code java.net.UnknownHostException} of a host name that does not resolve, so
 * that the two clients say the same thing. It names the host and the port the connect was for; the JDK's own
 * exception names at most the host (a socket channel's says nothing at all).
 */
public final class UnknownHosts {
    private UnknownHosts() {
    }

    /**
     * {@code cannot resolve host HOST to connect to port PORT for PURPOSE}; {@code purpose} says which link or
     * channel: {@code tcp://host:5025}, {@code channel 1 of vxi11://host:111/inst0}.
     */
    public static String message(String host, int port, String purpose) {
        return "cannot resolve host " + host + " to connect to port " + port + " for " + purpose;
    }
}
