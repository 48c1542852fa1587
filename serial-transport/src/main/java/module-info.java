/** jSerialComm behind a small, honest API. Filled by the serial-links issue. */
module dev.labwire.serial {
    requires com.fazecast.jSerialComm;
    requires org.slf4j;
}
