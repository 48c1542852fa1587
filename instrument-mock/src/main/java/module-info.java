/** MockInstrument. Filled by the blocking-client / MockInstrument issue. */
module dev.labwire.mock {
    requires dev.labwire.core;
    requires org.slf4j;
}
