/**
 * The labwire protocol core: Sans-IO state machines that take bytes and time in and give bytes and
 * events out. No I/O, no threads, no clock, no dependencies.
 */
module dev.labwire.core {
    exports dev.labwire.core;
    exports dev.labwire.core.bus;
    exports dev.labwire.core.endpoint;
    exports dev.labwire.core.frame;
    exports dev.labwire.core.rfc2217;
    exports dev.labwire.core.scpi;
    // shared by both drivers so that a fix lands once; not API
    exports dev.labwire.core.internal to dev.labwire.blocking, dev.labwire.netty;
}
