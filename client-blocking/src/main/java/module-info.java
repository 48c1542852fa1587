/**
 * The labwire blocking client: a thread-safe client over java.net sockets and serial links, driving
 * the Sans-IO protocol core. Start at {@link dev.labwire.blocking.BlockingClient}.
 */
module dev.labwire.blocking {
    requires transitive dev.labwire.core;
    // optional (labwire-serial-transport, which brings jSerialComm): only serial endpoints need it, and a serial
    // endpoint without it fails with a message naming the artifact (dev.labwire.core.internal.SerialGate)
    requires static dev.labwire.serial;
    requires org.slf4j;

    exports dev.labwire.blocking;
}
