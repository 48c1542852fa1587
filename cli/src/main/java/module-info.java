/**
 * The {@code labwire} command line (an application, not a library: it exports nothing). Entry point
 * {@code dev.labwire.cli.Main}. picocli reads the commands' annotations by reflection, hence the {@code opens}.
 */
module dev.labwire.cli {
    requires dev.labwire.blocking;
    requires dev.labwire.serial;
    requires dev.labwire.discovery;
    requires dev.labwire.mock;
    requires com.fazecast.jSerialComm;
    requires info.picocli;
    requires org.jline;          // automatic module (the jline bundle jar)
    requires org.slf4j;

    opens dev.labwire.cli to info.picocli;
    // the application's own SLF4J binding: levels that change at run time (the shell's :trace)
    provides org.slf4j.spi.SLF4JServiceProvider with dev.labwire.cli.CliLogging;
}
