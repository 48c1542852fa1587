/**
 * The labwire protocol core: Sans-IO state machines that take bytes and time in and give bytes and
 * events out. No I/O, no threads, no clock, no dependencies.
 */
module dev.labwire.core {
    exports dev.labwire.core;
    exports dev.labwire.core.bus;
    exports dev.labwire.core.endpoint;
    exports dev.labwire.core.frame;
    exports dev.labwire.core.hislip;
    exports dev.labwire.core.modbus;
    exports dev.labwire.core.rfc2217;
    exports dev.labwire.core.scpi;
    exports dev.labwire.core.vxi11;
    // shared by both drivers so that a fix lands once; not API
    exports dev.labwire.core.internal to dev.labwire.blocking, dev.labwire.netty;
    // the VXI-11 wire codecs: for the drivers, MockInstrument's VXI-11 server and discovery; not API
    exports dev.labwire.core.vxi11.internal to dev.labwire.blocking, dev.labwire.netty, dev.labwire.mock,
            dev.labwire.discovery;   // the portmapper GETPORT probe of VXI-11 discovery
}
