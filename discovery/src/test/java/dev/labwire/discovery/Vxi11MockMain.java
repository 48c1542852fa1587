package dev.labwire.discovery;

import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.Vxi11Options;

/**
 * A VXI-11 MockInstrument inside the test's namespace, its own portmapper on a free port (port 111 belongs to
 * rpcbind there). Prints {@code CORE <core channel port>}; serves until stdin ends.
 */
public final class Vxi11MockMain {
    static final String IDN = "LABWIRE,VXI11-DISCOVERY-MOCK,SN111,0.2";

    private Vxi11MockMain() {}

    public static void main(String[] args) throws Exception {
        try (MockInstrument m = MockInstrument.vxi11(Vxi11Options.defaults().portmapperPort(0)).scpi()) {
            m.dictionary().identity(IDN);
            System.out.println("CORE " + m.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our stdin
            }
        }
    }
}
