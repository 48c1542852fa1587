package consumer;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.mock.MockInstrument;

/** A serial user: {@code tcp} queries over loopback TCP, {@code serial} over a socat pty pair. */
public final class Main {

    private static final String IDN = "LABWIRE,MOCK-INSTRUMENT,SN0001,1.0";

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("tcp")) {
            try (MockInstrument mock = MockInstrument.tcp().scpi();
                 BlockingClient client = BlockingClient.open(mock.endpoint())) {
                check(IDN, client.query("*IDN?"));
            }
            System.out.println("serial consumer, TCP query: OK");
        } else if (args.length == 1 && args[0].equals("serial")) {
            if (!MockInstrument.socatAvailable()) {
                System.out.println("serial consumer: SKIPPED the pty query (no socat; apt-get install -y socat)");
                return;
            }
            try (MockInstrument mock = MockInstrument.pty().scpi();
                 BlockingClient client = BlockingClient.open(mock.endpoint())) {
                if (!(Endpoint.parse(mock.endpoint()) instanceof Endpoint.Serial)) {
                    throw new AssertionError("not a serial endpoint: " + mock.endpoint());
                }
                client.write("VOLT 5");
                check("5", client.query("VOLT?"));
                check(IDN, client.query("*IDN?"));
                System.out.println("serial consumer, pty query on " + mock.endpoint() + ": OK");
            }
        } else {
            throw new IllegalArgumentException("usage: Main tcp|serial");
        }
    }

    private static void check(String expected, String actual) {
        if (!expected.equals(actual)) {
            throw new AssertionError("expected '" + expected + "', got '" + actual + "'");
        }
    }
}
