package consumer;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.mock.MockInstrument;
import dev.labwire.netty.NettyClient;
import java.util.concurrent.TimeUnit;

/** A TCP-only program: queries MockInstrument on loopback with both clients; serial endpoints must fail clearly. */
public final class Main {

    private static final String IDN = "LABWIRE,MOCK-INSTRUMENT,SN0001,1.0";

    public static void main(String[] args) throws Exception {
        for (String c : new String[] {"com.fazecast.jSerialComm.SerialPort", "dev.labwire.serial.SerialLink"}) {
            try {
                Class.forName(c);
                throw new AssertionError(c + " is on the class path of a TCP-only program");
            } catch (ClassNotFoundException expected) {
                // the point
            }
        }

        try (MockInstrument mock = MockInstrument.tcp().scpi();
             BlockingClient client = BlockingClient.open(mock.endpoint())) {
            client.write("VOLT 5");
            check("5", client.query("VOLT?"));
            check(IDN, client.query("*IDN?"));
            System.out.println("blocking client over TCP: " + client.query("*IDN?"));
        }
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            NettyClient client = NettyClient.open(mock.endpoint());
            try {
                check(IDN, client.query("*IDN?").get(10, TimeUnit.SECONDS));
                System.out.println("Netty client over TCP: " + IDN);
            } finally {
                client.close().get(10, TimeUnit.SECONDS);
            }
        }

        // parsing a serial endpoint needs nothing of the serial transport; opening one must say what to add
        String serial = Endpoint.parse("serial:/dev/ttyUSB0?baud=115200").toString();
        try (BlockingClient c = BlockingClient.open(serial)) {
            throw new AssertionError("a serial endpoint opened without labwire-serial-transport");
        } catch (IllegalStateException e) {
            checkNames(e);
            System.out.println("blocking client, serial endpoint: " + e.getMessage());
        }
        try {
            NettyClient c = NettyClient.open(serial);
            c.close();
            throw new AssertionError("a serial endpoint opened without labwire-serial-transport");
        } catch (IllegalStateException e) {
            checkNames(e);
            System.out.println("Netty client, serial endpoint: " + e.getMessage());
        }
        System.out.println("tcp-only consumer: OK");
    }

    private static void checkNames(IllegalStateException e) {
        if (e.getMessage() == null || !e.getMessage().contains("dev.labwire:labwire-serial-transport")) {
            throw new AssertionError("the message does not name the artifact to add", e);
        }
    }

    private static void check(String expected, String actual) {
        if (!expected.equals(actual)) {
            throw new AssertionError("expected '" + expected + "', got '" + actual + "'");
        }
    }
}
