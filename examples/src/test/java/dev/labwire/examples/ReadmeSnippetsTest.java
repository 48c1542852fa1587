package dev.labwire.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.blocking.BlockingBus;
import dev.labwire.blocking.BlockingClient;
import dev.labwire.blocking.BusDevice;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.StaleReplyPolicy;
import dev.labwire.core.State;
import dev.labwire.core.bus.Addressing;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.scpi.ValueType;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The README's snippets, run against MockInstrument (keep the two in step). */
class ReadmeSnippetsTest {

    @Test
    void serviceRequestSnippet() throws Exception {
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            java.util.concurrent.BlockingQueue<Integer> heard = new java.util.concurrent.LinkedBlockingQueue<>();
            BlockingClient dmm = BlockingClient.openAndAwait(mock.endpoint(), ConnectionConfig.builder()
                    .serviceRequestPolling(Duration.ofMillis(100))
                    .build(), Duration.ofSeconds(5));
            try (dmm; AutoCloseable srq = dmm.onServiceRequest(heard::add)) {
                dmm.write("*ESE 1;*SRE 32");
                dmm.write("INIT;*OPC");
                assertEquals(96, heard.poll(5, java.util.concurrent.TimeUnit.SECONDS));
                int stb = dmm.readStatusByte();
                assertEquals(96, stb);
            }
        }
    }

    @Test
    void mockInstrumentSnippet() {
        try (MockInstrument mock = MockInstrument.tcp().scpi();
             BlockingClient client = BlockingClient.open(mock.endpoint())) {
            client.write("VOLT 5");
            assertEquals("5", client.query("VOLT?"));
            mock.enqueue("+1.25E+00");
            assertEquals(1.25, client.queryNumber("MEAS:CURR?"));
            assertEquals("MEAS:CURR?", mock.commands().get(2));

            mock.enqueue(MockReply.line("1").delay(Duration.ofMillis(600)));
            assertThrows(RequestTimeoutException.class, () -> client.query("*OPC?", Duration.ofMillis(200)));
            assertEquals("LABWIRE,MOCK-INSTRUMENT,SN0001,1.0", client.query("*IDN?"));
        }
    }

    @Test
    void writeAcknowledgementSnippet() {
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            mock.responder(cmd -> cmd.startsWith("OPEN ") ? MockReply.line(cmd.equals("OPEN 400") ? "ERR 2" : "OK")
                    : cmd.equals("FLOW?") ? MockReply.line("12.5") : null);
            try (BlockingClient valve = BlockingClient.open(mock.endpoint(),
                    ConnectionConfig.builder().writeAcknowledgement("OK").build())) {
                valve.write("OPEN 40");
                double flow = valve.queryNumber("FLOW?");
                assertEquals(12.5, flow);
                dev.labwire.core.RemoteProtocolException refused = assertThrows(dev.labwire.core.RemoteProtocolException.class,
                        () -> valve.write("OPEN 400"));
                assertTrue(refused.getMessage().contains("\"ERR 2\""), refused.getMessage());
                assertEquals(12.5, valve.queryNumber("FLOW?"));
            }
        }
    }

    @Test
    void retrySnippet() {
        try (MockInstrument mock = MockInstrument.tcp().scpi();
             BlockingClient dmm = BlockingClient.open(mock.endpoint(),
                     ConnectionConfig.builder().retryQueriesOnLinkDown(true).build());
             BlockingClient psu = BlockingClient.open(mock.endpoint())) {
            mock.dictionary().queueError("-222,\"Data out of range\"");
            assertEquals("-222,\"Data out of range\"",
                    dmm.request(Request.query("SYST:ERR?").withResend(Request.Resend.NEVER)).text());
            mock.dictionary().set("MEAS:VOLT", "5");
            assertEquals("5", psu.request(Request.query("MEAS:VOLT?").withResend(Request.Resend.ON_RECONNECT)).text());
        }
    }

    @Test
    void failFastSnippet() throws Exception {
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            String visa = "TCPIP0::127.0.0.1::" + mock.port() + "::SOCKET";   // a VISA string works too
            try (BlockingClient psu = BlockingClient.openAndAwait(visa, ConnectionConfig.DEFAULT,
                    Duration.ofSeconds(5))) {
                assertEquals(State.READY, psu.state());
                assertEquals("LABWIRE,MOCK-INSTRUMENT,SN0001,1.0", psu.query("*IDN?"));
            }
            String endpoint = mock.endpoint();
            mock.stop();
            var e = assertThrows(dev.labwire.core.LinkDownException.class, () -> BlockingClient.openAndAwait(endpoint,
                    ConnectionConfig.DEFAULT, Duration.ofSeconds(30)));
            assertTrue(e.getMessage().startsWith("link to " + endpoint + " not ready: connection refused"), e.getMessage());
        }
    }

    @Test
    void blockingClientSnippets() throws Exception {
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            mock.responder(cmd -> cmd.equals("MEAS:VOLT?") ? MockReply.line("+5.0012E+00")
                    : cmd.equals("CURV?") ? MockReply.block(new byte[] {1, 2, 3}) : null);
            try (BlockingClient psu = BlockingClient.open(mock.endpoint())) {
                String idn = psu.query("*IDN?");
                psu.write("VOLT 5");
                double volts = psu.queryNumber("MEAS:VOLT?");
                byte[] curve = psu.queryBlock("CURV?");
                String opc = psu.query("*OPC?", Duration.ofSeconds(30));
                assertEquals("LABWIRE,MOCK-INSTRUMENT,SN0001,1.0", idn);
                assertEquals(5.0012, volts);
                assertEquals(3, curve.length);
                assertEquals("1", opc);
            }

            mock.responder(cmd -> cmd.equals("CURV?") ? MockReply.block(new byte[] {0, 1, (byte) 0xFF, (byte) 0xFE})
                    : cmd.equals("FETC?") ? MockReply.line("+1.23E+00,9.9E37,NAN") : null);
            try (BlockingClient scope = BlockingClient.open(mock.endpoint());
                 BlockingClient dmm = BlockingClient.open(mock.endpoint())) {
                scope.write("FORM:DATA INT,16");
                short[] codes = scope.queryBinaryValues("CURV?", ValueType.INT16, ByteOrder.BIG_ENDIAN).asShorts();
                double[] readings = dmm.queryAsciiValues("FETC?");
                assertArrayEquals(new short[] {1, -2}, codes);
                assertArrayEquals(new double[] {1.23, Double.POSITIVE_INFINITY, Double.NaN}, readings);
            }

            List<State> states = new CopyOnWriteArrayList<>();
            try (BlockingClient psu = BlockingClient.builder(mock.endpoint())
                    .config(ConnectionConfig.builder()
                            .defaultTimeout(Duration.ofSeconds(2))
                            .staleReplyPolicy(StaleReplyPolicy.scpiResync())
                            .build())
                    .onConnect(s -> {
                        s.write("SYST:REM");
                        s.write("VOLT:PROT 30");
                    })
                    .listener((state, cause) -> states.add(state))
                    .build()) {
                assertEquals("30", psu.query("VOLT:PROT?"));
                assertTrue(states.contains(State.READY) || psu.state() == State.READY);
            }

            try (BlockingClient dmm = BlockingClient.open(mock.endpoint(), ConnectionConfig.builder().maxInFlight(16).build())) {
                mock.responder(cmd -> cmd.startsWith("MEAS:VOLT? (@") ? MockReply.line("+1.0" + cmd.charAt(15) + "E+00") : null);
                List<String> readings = dmm.queryAll(List.of("MEAS:VOLT? (@101)", "MEAS:VOLT? (@102)", "MEAS:VOLT? (@103)"));
                assertEquals(List.of("+1.01E+00", "+1.02E+00", "+1.03E+00"), readings);
                mock.responder(null);
            }

            try (BlockingClient board = BlockingClient.open(mock.endpoint(), ConnectionConfig.builder()
                    .classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(StandardCharsets.US_ASCII)))
                    .build())) {
                board.awaitReady(Duration.ofSeconds(5));
                assertEquals("1", board.query("*OPC?")); // the mock has taken the connection: pushes reach it
                List<String> plotted = new CopyOnWriteArrayList<>();
                try (AutoCloseable subscription = board.onPushed(frame -> plotted.add(frame.asString()))) {
                    mock.push("STAT 1");
                    Frame status = board.pollPushed(Duration.ofSeconds(5));
                    assertEquals("STAT 1", status.asString());
                    assertEquals("hello", board.query("ECHO? hello"));
                }
            }
        }
    }

    @Test
    void busSnippet() {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed");
        try (MockInstrument mock = MockInstrument.pty().echo(true)) {
            mock.busDevice("A").dictionary().set("FLOW", "+14.70");
            mock.busDevice("B");
            BusConfig cfg = BusConfig.builder()
                    .addressing(Addressing.asciiPrefix())
                    .turnaround(Duration.ofMillis(5))
                    .connection(ConnectionConfig.builder()
                            .echo(ConnectionConfig.Echo.CHECK_AND_DROP)
                            .defaultTimeout(Duration.ofMillis(300))
                            .build())
                    .build();
            try (BlockingBus bus = BlockingBus.open(mock.endpoint(), cfg)) {
                bus.awaitReady(Duration.ofSeconds(5));
                BusDevice mfc1 = bus.device("A"), mfc2 = bus.device("B");
                double flow = mfc1.queryNumber("FLOW?");
                mfc2.write("SP 50");
                assertEquals(14.7, flow);
                assertEquals("50", mfc2.query("SP?"));
            }
        }
    }
}
