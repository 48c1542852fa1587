/**
 * The labwire blocking client: a thread-safe client over java.net sockets and serial links, driving
 * the Sans-IO protocol core. Start at {@link dev.labwire.blocking.BlockingClient}.
 */
module dev.labwire.blocking {
    requires transitive dev.labwire.core;
    requires transitive dev.labwire.serial;
    requires org.slf4j;

    exports dev.labwire.blocking;
}
