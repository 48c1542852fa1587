/** Runnable examples of labwire. */
module dev.labwire.examples {
    requires dev.labwire.core;
    requires dev.labwire.blocking;
}
