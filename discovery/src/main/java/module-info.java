/**
 * labwire discovery: finds instruments on the local network (mDNS/DNS-SD with JmDNS) and local serial ports, and
 * gives each as an endpoint string. Start at {@link dev.labwire.discovery.Discovery}.
 */
module dev.labwire.discovery {
    requires transitive dev.labwire.core;      // Endpoint
    requires dev.labwire.blocking;             // *IDN? when asked to identify
    requires static dev.labwire.serial;        // local serial ports, when the serial transport is present
    requires javax.jmdns;                      // automatic module (org.jmdns:jmdns)
    requires org.slf4j;

    exports dev.labwire.discovery;
}
