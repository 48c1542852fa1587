package dev.labwire.blocking.internal;

import dev.labwire.core.endpoint.Endpoint;

/**
 * Whether serial endpoints can be opened: {@code labwire-serial-transport} (module {@code dev.labwire.serial}, which
 * brings jSerialComm) is an optional dependency of this client, so a TCP-only program has neither. This class
 * references nothing of it; the serial-only classes of this package ({@link SerialSupport} and the serial link) are
 * loaded only for a serial endpoint, after {@link #check} passed.
 */
public final class SerialGate {

    /** The artifact a serial endpoint needs, as a user adds it. */
    public static final String ARTIFACT = "dev.labwire:labwire-serial-transport";

    private SerialGate() {}

    /** Looked up on the first serial endpoint only: even a lookup loads a class of the module when it is there. */
    private static final class Presence {
        static final boolean PRESENT = present();
    }

    /** True when {@code dev.labwire.serial} can be loaded (and, on the module path, is read by this module). */
    public static boolean present() {
        try {
            Class<?> c = Class.forName("dev.labwire.serial.SerialLink", false, SerialGate.class.getClassLoader());
            // on the module path a 'requires static' edge exists only when the module was resolved
            return SerialGate.class.getModule().canRead(c.getModule());
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Passes for a TCP endpoint, and for a serial one when the serial transport is there.
     *
     * @throws IllegalStateException for a serial endpoint without {@code labwire-serial-transport}, naming the
     *                               artifact to add
     */
    public static void check(Endpoint endpoint) {
        if (endpoint instanceof Endpoint.Serial && !Presence.PRESENT) {
            throw new IllegalStateException(missing(endpoint));
        }
    }

    static String missing(Endpoint endpoint) {
        return "serial endpoint " + endpoint + " needs the serial transport, which is an optional dependency of "
                + "labwire: add " + ARTIFACT + " (the same version as the client) to the project's dependencies "
                + "(on the module path also 'requires dev.labwire.serial;' or --add-modules dev.labwire.serial)";
    }
}
