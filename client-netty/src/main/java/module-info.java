/** The Netty client. Filled by the Netty-client issue. */
module dev.labwire.netty {
    requires dev.labwire.core;
    requires dev.labwire.serial;
    requires org.slf4j;
    requires io.netty.transport;
    requires io.netty.handler;
}
