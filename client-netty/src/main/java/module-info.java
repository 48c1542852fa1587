/**
 * The labwire Netty client: {@link java.util.concurrent.CompletableFuture} calls and
 * {@link java.util.concurrent.Flow} streams for programs that watch many instruments at once, driving
 * the Sans-IO protocol core on a Netty event loop. TCP runs on Netty channels; serial ports are read by
 * one thread per open port that hands bytes to the event loop. Start at
 * {@link dev.labwire.netty.NettyClient} for one instrument, or {@link dev.labwire.netty.NettyBus} for
 * addressed devices sharing an RS485 bus.
 */
module dev.labwire.netty {
    requires transitive dev.labwire.core;
    // optional (labwire-serial-transport, which brings jSerialComm): only serial endpoints need it, and a serial
    // endpoint without it fails with a message naming the artifact (dev.labwire.core.internal.SerialGate)
    requires static dev.labwire.serial;
    requires transitive io.netty.transport;
    requires transitive io.netty.common;
    requires io.netty.buffer;
    requires org.slf4j;

    exports dev.labwire.netty;
}
