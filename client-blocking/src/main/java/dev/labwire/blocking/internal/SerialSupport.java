package dev.labwire.blocking.internal;

import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.serial.SerialLink;
import java.io.IOException;

/**
 * The serial-only code of the blocking client, apart so that a TCP endpoint never loads a class of the optional
 * {@code dev.labwire.serial} module (or jSerialComm). Reached only for serial endpoints, which {@code core.internal.SerialGate}
 * let through.
 */
final class SerialSupport {

    private SerialSupport() {}

    static Link open(Endpoint.Serial endpoint) throws IOException {
        return new SerialPortLink(SerialLink.open(endpoint));
    }

    /** Serial transport's classifier, for a failure that holds one of its exceptions. */
    static String definite(Throwable failure) {
        return dev.labwire.serial.internal.ConnectFailures.definite(failure);
    }
}
