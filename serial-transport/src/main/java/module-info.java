/**
 * labwire serial transport: jSerialComm behind a small, honest API. See the {@code dev.labwire.serial} package
 * documentation.
 */
module dev.labwire.serial {
    requires transitive dev.labwire.core; // SerialSettings, Endpoint.Serial and UsbId are in its endpoint package
    requires com.fazecast.jSerialComm;
    requires org.slf4j;

    exports dev.labwire.serial;
    // the connect-failure classifier shared by both clients; not API
    exports dev.labwire.serial.internal to dev.labwire.blocking, dev.labwire.netty;
}
