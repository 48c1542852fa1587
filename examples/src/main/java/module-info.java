/** Runnable examples of labwire: the tour and reference programs, all against simulated instruments. */
module dev.labwire.examples {
    requires dev.labwire.core;
    requires dev.labwire.blocking;
    requires dev.labwire.netty;
    requires dev.labwire.mock;
    requires dev.labwire.mqtt; // the furnace behind an MQTT gateway
    requires dev.labwire.serial; // the pty examples open serial endpoints (optional for the clients)
    requires org.slf4j;
    requires io.netty.buffer; // the furnace server reads and writes ByteBufs itself
}
