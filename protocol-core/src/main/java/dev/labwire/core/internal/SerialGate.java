package dev.labwire.core.internal;

import dev.labwire.core.endpoint.Endpoint;

/**
 * Whether a client can open serial endpoints: {@code labwire-serial-transport} (module {@code dev.labwire.serial},
 * which brings jSerialComm) is an optional dependency of both clients, so a TCP-only program has neither. This class
 * references nothing of it (the module is looked up by a class name); each client loads its serial-only classes only
 * for a serial endpoint, after {@link #check} passed. Shared by both clients so that the rule and the message are one.
 */
public final class SerialGate {

    /** The artifact a serial endpoint needs, as a user adds it. */
    public static final String ARTIFACT = "dev.labwire:labwire-serial-transport";

    private SerialGate() {}

    /**
     * True when {@code dev.labwire.serial} can be loaded by {@code client}'s class loader and, on the module path, is
     * read by the module of {@code client} (a client class): a 'requires static' edge exists only when the module was
     * resolved. Not cached: it is asked once per serial client made, and only for serial endpoints.
     */
    public static boolean present(Class<?> client) {
        try {
            Class<?> c = Class.forName("dev.labwire.serial.SerialLink", false, client.getClassLoader());
            return client.getModule().canRead(c.getModule());
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Passes for a TCP endpoint without looking anything up, and for a serial one when the serial transport is there
     * for {@code client} (a class of the client that opens the endpoint).
     *
     * @throws IllegalStateException for a serial endpoint without {@code labwire-serial-transport}, naming the
     *                               artifact to add
     */
    public static void check(Endpoint endpoint, Class<?> client) {
        if (endpoint instanceof Endpoint.Serial && !present(client)) {
            throw new IllegalStateException(missing(endpoint));
        }
    }

    /** The message of {@link #check}'s failure. */
    public static String missing(Endpoint endpoint) {
        return "serial endpoint " + endpoint + " needs the serial transport, which is an optional dependency of "
                + "labwire: add " + ARTIFACT + " (the same version as the client) to the project's dependencies "
                + "(on the module path also 'requires dev.labwire.serial;' or --add-modules dev.labwire.serial)";
    }
}
