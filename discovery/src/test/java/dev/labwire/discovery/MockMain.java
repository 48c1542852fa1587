package dev.labwire.discovery;

import dev.labwire.mock.MockInstrument;

/** A MockInstrument on loopback port args[0], inside the test's namespace; prints its endpoint, ends with stdin. */
public final class MockMain {
    private MockMain() {}

    public static void main(String[] args) throws Exception {
        try (MockInstrument m = MockInstrument.tcp(Integer.parseInt(args[0])).scpi()) {
            System.out.println(m.endpoint());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our stdin
            }
        }
    }
}
