/** The blocking client. Filled by the blocking-client issue. */
module dev.labwire.blocking {
    requires dev.labwire.core;
    requires dev.labwire.serial;
    requires org.slf4j;
}
