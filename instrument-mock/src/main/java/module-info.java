/**
 * MockInstrument: a fake instrument on loopback TCP or a socat pty pair, with scripted replies, a small
 * stateful SCPI dictionary, and faults as data. For tests and demos; see {@link dev.labwire.mock.MockInstrument}.
 */
module dev.labwire.mock {
    requires dev.labwire.core; // Printable, for showing bytes
    requires org.slf4j;

    exports dev.labwire.mock;
}
