package dev.labwire.mock.vxi11;

import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.Vxi11Options;
import java.io.IOException;
import java.io.InputStream;

/**
 * A VXI-11 mock with its portmapper on port 111, for independent clients run in a network namespace of its own
 * ({@link Vxi11IndependentClientsTest}). Prints {@code READY <core port>} on stdout when serving, then serves until
 * stdin ends, then prints every command it received, one per line after {@code COMMANDS}.
 */
public final class Vxi11MockMain {

    static final String IDN = "LABWIRE,VXI11-MOCK,SN1118,0.1";

    private Vxi11MockMain() {
    }

    public static void main(String[] args) throws IOException {
        try (MockInstrument mock = MockInstrument.vxi11(Vxi11Options.defaults().maxRecvSize(1024)).scpi()) {
            mock.dictionary().identity(IDN);
            System.out.println("READY " + mock.port());
            System.out.flush();
            InputStream in = System.in;
            while (in.read() >= 0) {
                // serve until the test closes our stdin
            }
            System.out.println("COMMANDS");
            for (String c : mock.commands()) {
                System.out.println(c);
            }
            System.out.flush();
        }
    }
}
