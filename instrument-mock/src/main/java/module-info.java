/**
 * MockInstrument: a fake instrument on loopback TCP or a socat pty pair, with scripted replies, a small
 * stateful SCPI dictionary, devices described by JSON or YAML files, and faults as data. For tests and demos; see
 * {@link dev.labwire.mock.MockInstrument}. {@code dev.labwire.mock.junit} holds a JUnit 5 extension that gives each
 * test a fresh mock.
 *
 * <p>JUnit 5 and SnakeYAML are optional: only the extension needs JUnit's API, only YAML device files need
 * SnakeYAML (JSON device files need nothing more).
 */
module dev.labwire.mock {
    requires dev.labwire.core; // Printable, for showing bytes
    requires org.slf4j;
    requires static org.junit.jupiter.api;
    requires static org.yaml.snakeyaml;

    exports dev.labwire.mock;
    exports dev.labwire.mock.junit;
}
