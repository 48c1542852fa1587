/**
 * The labwire protocol core: Sans-IO state machines that take bytes and time in and give bytes and
 * events out. No I/O, no threads, no clock, no dependencies.
 */
module dev.labwire.core {
    exports dev.labwire.core;
    exports dev.labwire.core.bus;
    exports dev.labwire.core.frame;
    exports dev.labwire.core.scpi;
}
