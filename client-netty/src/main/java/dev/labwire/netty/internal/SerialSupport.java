package dev.labwire.netty.internal;

import dev.labwire.core.endpoint.Endpoint;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;

/**
 * The serial-only code of the Netty client, apart so that a TCP endpoint never loads a class of the optional
 * {@code dev.labwire.serial} module (or jSerialComm). Reached only for serial endpoints, which {@code core.internal.SerialGate}
 * let through.
 */
final class SerialSupport {

    private SerialSupport() {}

    static Link bridge(NettyDriver driver, EventLoop loop, Endpoint.Serial endpoint, String name,
                       CompletableFuture<Void> previous, int highWater) {
        return new SerialBridge(driver, loop, endpoint, name, previous, highWater);
    }

    /** Serial transport's classifier, for a failure that holds one of its exceptions. */
    static String definite(Throwable failure) {
        return dev.labwire.serial.internal.ConnectFailures.definite(failure);
    }
}
