package dev.labwire.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.mock.SpecHislipClient.Msg;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The mock's HiSLIP server over real loopback sockets, driven by {@link SpecHislipClient} (written from IVI-6.1,
 * not from the core codec): exact header bytes, message-id echoes, Interrupted, device clear.
 */
class MockHislipTest {

    private static final String IDN = ScpiDictionary.DEFAULT_IDENTITY + "\n";
    private static final String ZERO8 = "00 00 00 00 00 00 00 00";

    private MockInstrument mock;
    private MockHislip server;

    @BeforeEach
    void start() {
        mock = MockInstrument.tcp().scpi();
        server = MockHislip.serve(mock, 0);
    }

    @AfterEach
    void stop() {
        server.close();
        mock.close();
    }

    @Test
    void handshakeBytesAreTheSpecs() throws IOException {
        try (SpecHislipClient c = SpecHislipClient.syncOnly(server.port())) {
            c.sendSync(SpecHislipClient.header(0, 0, 0x0100 << 16 | 'L' << 8 | 'W', SpecHislipClient.ascii("hislip0")));
            Msg r = c.readSync();
            // InitializeResponse, synchronized mode, protocol 1.0, session id 1 (the first of a fresh server)
            assertThat(r.headerHex()).isEqualTo("48 53 01 00 01 00 00 01 " + ZERO8);
            c.openAsync(server.port(), 1);
            assertThat(c.readAsync().headerHex()).isEqualTo("48 53 12 00 00 00 4C 57 " + ZERO8);
            c.sendAsync(SpecHislipClient.header(15, 0, 0, SpecHislipClient.u64(4096)));
            Msg size = c.readAsync();
            assertThat(size.headerHex()).isEqualTo("48 53 10 00 00 00 00 00 00 00 00 00 00 00 00 08");
            assertThat(size.payload()).containsExactly(0, 0, 0, 0, 0, 0x10, 0, 0); // 1 MiB
            assertThat(server.sessionCount()).isEqualTo(1);
        }
    }

    @Test
    void overlappedModeIsAnnouncedInTheControlCode() throws IOException {
        server.overlapped(true);
        try (SpecHislipClient c = SpecHislipClient.syncOnly(server.port())) {
            c.sendSync(SpecHislipClient.header(0, 0, 0x0100 << 16 | 'L' << 8 | 'W', SpecHislipClient.ascii("hislip0")));
            assertThat(c.readSync().headerHex()).isEqualTo("48 53 01 01 01 00 00 01 " + ZERO8);
        }
    }

    @Test
    void queriesAreAnsweredFromTheDictionaryWithTheirMessageId() throws IOException, InterruptedException {
        try (SpecHislipClient c = SpecHislipClient.open(server.port(), 1 << 20)) {
            int id = c.sendDataEnd("*IDN?\n");
            assertThat(id).isEqualTo(0xFFFFFF00);
            Msg m = c.readSync();
            assertThat(m.headerHex()).isEqualTo("48 53 07 00 FF FF FF 00 00 00 00 00 00 00 00 "
                    + String.format("%02X", IDN.length()));
            assertThat(m.text()).isEqualTo(IDN);
            c.rmtDelivered = true; // read by hand: the next message says RMT-delivered
            assertThat(mock.takeCommand(Duration.ofSeconds(5))).isEqualTo("*IDN?");
            // a message in two parts, two commands; the reply carries the id of the DataEnd
            c.sendDataPart("VOLT ");
            int end = c.sendDataEnd("5\nVOLT?\n");
            assertThat(end).isEqualTo(0xFFFFFF04);
            assertThat(c.readReply(end)).isEqualTo("5\n");
            assertThat(mock.takeCommand(Duration.ofSeconds(5))).isEqualTo("VOLT 5");
            assertThat(mock.takeCommand(Duration.ofSeconds(5))).isEqualTo("VOLT?");
            // no \n needed: END ends the command
            assertThat(c.readReply(c.sendDataEnd("VOLT?"))).isEqualTo("5\n");
        }
    }

    @Test
    void repliesAreCutToTheClientsMaximumMessageSize() throws IOException {
        try (SpecHislipClient c = SpecHislipClient.open(server.port(), 16 + 4)) {
            int id = c.sendDataEnd("*IDN?\n");
            StringBuilder got = new StringBuilder();
            int parts = 0;
            while (true) {
                Msg m = c.readSync();
                assertThat(m.parameter()).isEqualTo(id);
                assertThat(m.payload().length).isLessThanOrEqualTo(4);
                got.append(m.text());
                parts++;
                if (m.type() == 7) {
                    break;
                }
                assertThat(m.type()).isEqualTo(6);
            }
            assertThat(got.toString()).isEqualTo(IDN);
            assertThat(parts).isEqualTo((IDN.length() + 3) / 4);
        }
    }

    @Test
    void synchronizedModeInterruptsAnOwedReplyAndNeverSendsIt() throws IOException {
        mock.enqueue(MockReply.line("late").delay(Duration.ofMillis(300)));
        mock.enqueue(MockReply.line("second"));
        mock.enqueue(MockReply.line("third").delay(Duration.ofMillis(700)));
        try (SpecHislipClient c = SpecHislipClient.open(server.port(), 1 << 20)) {
            int first = c.sendDataEnd("MEAS?\n");
            int second = c.sendDataEnd("MEAS?\n"); // before the first reply: IVI-6.1 3.1 synchronized mode
            Msg interrupted = c.readSync();
            assertThat(interrupted.headerHex()).isEqualTo("48 53 0D 00 FF FF FF 02 " + ZERO8);
            assertThat(c.readAsync().headerHex()).isEqualTo("48 53 0E 00 FF FF FF 02 " + ZERO8);
            assertThat(first).isEqualTo(0xFFFFFF00);
            assertThat(c.readReply(second)).isEqualTo("second\n");
            // the third reply is due after the first would have been: the next sync message must be the third
            int third = c.sendDataEnd("MEAS?\n");
            assertThat(c.readReply(third)).isEqualTo("third\n");
        }
    }

    @Test
    void synchronizedModeInterruptsAnUnreadReplyWhenTheNextMessageDoesNotSayRmtDelivered() throws IOException {
        try (SpecHislipClient c = SpecHislipClient.open(server.port(), 1 << 20)) {
            c.sendDataEnd("*IDN?\n");
            c.readSync();                               // whole reply on the wire, but not acknowledged
            int next = c.sendDataEnd("*IDN?\n");       // RMT-delivered 0
            assertThat(c.readSync().headerHex()).isEqualTo("48 53 0D 00 FF FF FF 02 " + ZERO8);
            assertThat(c.readAsync().headerHex()).isEqualTo("48 53 0E 00 FF FF FF 02 " + ZERO8);
            assertThat(c.readReply(next)).isEqualTo(IDN);
            int third = c.sendDataEnd("*IDN?\n");      // RMT-delivered 1: no interrupt
            assertThat(c.readReply(third)).isEqualTo(IDN);
        }
    }

    @Test
    void overlappedModeSendsTheLateReplyWithItsOwnId() throws IOException {
        server.overlapped(true);
        mock.enqueue(MockReply.line("late").delay(Duration.ofMillis(200)));
        mock.enqueue(MockReply.line("fresh"));
        try (SpecHislipClient c = SpecHislipClient.open(server.port(), 1 << 20)) {
            int first = c.sendDataEnd("MEAS?\n");
            int second = c.sendDataEnd("MEAS?\n");
            Msg late = c.readSync();
            assertThat(late.parameter()).as("a client discards this by its id").isEqualTo(first);
            assertThat(late.text()).isEqualTo("late\n");
            assertThat(c.readReply(second)).isEqualTo("fresh\n");
        }
    }

    @Test
    void deviceClearDropsTheOwedReplyAndRestartsIds() throws IOException, InterruptedException {
        mock.enqueue(MockReply.line("stale").delay(Duration.ofMillis(300)));
        mock.enqueue(MockReply.line("after").delay(Duration.ofMillis(600)));
        try (SpecHislipClient c = SpecHislipClient.open(server.port(), 1 << 20)) {
            c.sendDataEnd("MEAS?\n");
            assertThat(mock.takeCommand(Duration.ofSeconds(5))).as("read before the clear").isEqualTo("MEAS?");
            c.sendAsync(SpecHislipClient.header(19, 0, 0, new byte[0]));           // AsyncDeviceClear
            assertThat(c.readAsync().headerHex()).isEqualTo("48 53 17 00 " + ZERO8 + " 00 00 00 00");
            c.sendSync(SpecHislipClient.header(8, 0, 0, new byte[0]));             // DeviceClearComplete
            assertThat(c.readSync().headerHex()).isEqualTo("48 53 09 00 " + ZERO8 + " 00 00 00 00");
            c.resetIds();
            int id = c.sendDataEnd("MEAS?\n");
            assertThat(id).isEqualTo(0xFFFFFF00);
            assertThat(c.readReply(id)).as("the stale reply (due first) never came").isEqualTo("after\n");
        }
    }

    @Test
    void statusQueryReportsMavAndServiceRequestsArriveOnTheAsyncChannel() throws IOException {
        mock.enqueue(MockReply.line("slow").delay(Duration.ofMillis(400)));
        try (SpecHislipClient c = SpecHislipClient.open(server.port(), 1 << 20)) {
            c.sendAsync(SpecHislipClient.header(21, 0, c.lastSentId, new byte[0]));
            assertThat(c.readAsync().headerHex()).isEqualTo("48 53 16 00 " + ZERO8 + " 00 00 00 00");
            int id = c.sendDataEnd("MEAS?\n");
            c.sendAsync(SpecHislipClient.header(21, 0, id, new byte[0]));
            assertThat(c.readAsync().control()).as("MAV while the reply is owed").isEqualTo(0x10);
            assertThat(c.readReply(id)).isEqualTo("slow\n");
            c.sendAsync(SpecHislipClient.header(21, 1, id, new byte[0]));          // RMT delivered
            assertThat(c.readAsync().control()).isZero();
            server.requestService(0x01);
            assertThat(c.readAsync().headerHex()).isEqualTo("48 53 14 41 " + ZERO8 + " 00 00 00 00");
            c.sendAsync(SpecHislipClient.header(21, 0, id, new byte[0]));
            assertThat(c.readAsync().control()).as("RQS once").isEqualTo(0x41);
            c.sendAsync(SpecHislipClient.header(21, 0, id, new byte[0]));
            assertThat(c.readAsync().control()).isEqualTo(0x01);
        }
    }

    @Test
    void locksBetweenTwoSessions() throws IOException {
        try (SpecHislipClient a = SpecHislipClient.open(server.port(), 1 << 20);
             SpecHislipClient b = SpecHislipClient.open(server.port(), 1 << 20)) {
            assertThat(b.sessionId).isEqualTo(a.sessionId + 1);
            a.sendAsync(SpecHislipClient.header(4, 1, 0, new byte[0]));           // exclusive, now or never
            assertThat(a.readAsync().headerHex()).isEqualTo("48 53 05 01 " + ZERO8 + " 00 00 00 00");
            b.sendAsync(SpecHislipClient.header(4, 1, 0, new byte[0]));
            assertThat(b.readAsync().control()).as("exclusive held by a: failure").isZero();
            b.sendAsync(SpecHislipClient.header(4, 1, 0, SpecHislipClient.ascii("grp")));
            assertThat(b.readAsync().control()).as("shared while a holds exclusive: failure").isZero();
            b.sendAsync(SpecHislipClient.header(24, 0, 0, new byte[0]));          // AsyncLockInfo
            assertThat(b.readAsync().headerHex()).isEqualTo("48 53 19 01 00 00 00 01 " + ZERO8);
            a.sendAsync(SpecHislipClient.header(4, 1, 0, new byte[0]));
            assertThat(a.readAsync().control()).as("asking again for a held lock: error").isEqualTo(3);
            // b waits up to 5 s; a releases; b is granted
            b.sendAsync(SpecHislipClient.header(4, 1, 5000, new byte[0]));
            a.sendAsync(SpecHislipClient.header(4, 0, a.lastSentId, new byte[0])); // release
            assertThat(a.readAsync().control()).as("exclusive released").isEqualTo(1);
            assertThat(b.readAsync().control()).as("granted after waiting").isEqualTo(1);
            assertThat(server.exclusiveLockHolder()).isEqualTo(b.sessionId);
            b.sendAsync(SpecHislipClient.header(4, 0, b.lastSentId, new byte[0]));
            assertThat(b.readAsync().control()).isEqualTo(1);
            // a shared lock held by both
            a.sendAsync(SpecHislipClient.header(4, 1, 0, SpecHislipClient.ascii("grp")));
            assertThat(a.readAsync().control()).isEqualTo(1);
            b.sendAsync(SpecHislipClient.header(4, 1, 0, SpecHislipClient.ascii("grp")));
            assertThat(b.readAsync().control()).isEqualTo(1);
            a.sendAsync(SpecHislipClient.header(24, 0, 0, new byte[0]));
            assertThat(a.readAsync().headerHex()).isEqualTo("48 53 19 00 00 00 00 02 " + ZERO8);
            a.sendAsync(SpecHislipClient.header(4, 0, a.lastSentId, new byte[0]));
            assertThat(a.readAsync().control()).as("shared released").isEqualTo(2);
            a.sendAsync(SpecHislipClient.header(4, 0, a.lastSentId, new byte[0]));
            assertThat(a.readAsync().control()).as("nothing to release").isEqualTo(3);
        }
    }

    @Test
    void theExclusiveLockHoldsAnotherSessionsDataAndTriggerUntilItIsReleased() throws Exception {
        try (SpecHislipClient a = SpecHislipClient.open(server.port(), 1 << 20);
             SpecHislipClient b = SpecHislipClient.open(server.port(), 1 << 20)) {
            a.sendAsync(SpecHislipClient.header(4, 1, 0, new byte[0]));            // exclusive lock
            assertThat(a.readAsync().control()).isEqualTo(1);
            int triggers = mock.dictionary().triggerCount();
            b.sendTrigger();
            int q = b.sendDataEnd("*IDN?");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (server.heldSessions() != 1) {
                assertThat(System.nanoTime() - deadline).as("b's messages held").isNegative();
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // poll interval of the condition
            }
            assertThat(a.readReply(a.sendDataEnd("*IDN?"))).as("the holder is answered").isEqualTo(IDN);
            assertThat(mock.dictionary().triggerCount()).as("b's trigger not acted on yet").isEqualTo(triggers);
            a.sendAsync(SpecHislipClient.header(4, 0, a.lastSentId, new byte[0])); // release
            assertThat(a.readAsync().control()).isEqualTo(1);
            assertThat(b.readReply(q)).as("held, then answered").isEqualTo(IDN);
            assertThat(mock.dictionary().triggerCount()).isEqualTo(triggers + 1);
            assertThat(server.heldSessions()).isZero();
        }
    }

    @Test
    void aDeviceClearIsNotStuckBehindAnotherSessionsLock() throws Exception {
        try (SpecHislipClient a = SpecHislipClient.open(server.port(), 1 << 20);
             SpecHislipClient b = SpecHislipClient.open(server.port(), 1 << 20)) {
            a.sendAsync(SpecHislipClient.header(4, 1, 0, new byte[0]));            // exclusive lock
            assertThat(a.readAsync().control()).isEqualTo(1);
            b.sendDataEnd("*IDN?");                                                // held
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (server.heldSessions() != 1) {
                assertThat(System.nanoTime() - deadline).as("b's message held").isNegative();
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // poll interval of the condition
            }
            b.sendAsync(SpecHislipClient.header(19, 0, 0, new byte[0]));           // AsyncDeviceClear
            assertThat(b.readAsync().type()).as("AsyncDeviceClearAcknowledge").isEqualTo(23);
            b.sendSync(SpecHislipClient.header(8, 0, 0, new byte[0]));             // DeviceClearComplete
            assertThat(b.readSync().type()).as("DeviceClearAcknowledge while a still holds the lock").isEqualTo(9);
            assertThat(server.exclusiveLockHolder()).isEqualTo(a.sessionId);
            b.resetIds();
            a.sendAsync(SpecHislipClient.header(4, 0, a.lastSentId, new byte[0])); // release
            assertThat(a.readAsync().control()).isEqualTo(1);
            assertThat(b.readReply(b.sendDataEnd("*IDN?"))).as("only the new query is answered").isEqualTo(IDN);
        }
    }

    @Test
    void statusQueryReadsTheStatusModelAndMssRisingIsAnAsyncServiceRequest() throws IOException {
        try (SpecHislipClient c = SpecHislipClient.open(server.port(), 1 << 20)) {
            c.sendDataEnd("*ESE 1;*SRE 32;*OPC");
            Msg srq = c.readAsync();
            assertThat(srq.type()).as("AsyncServiceRequest").isEqualTo(20);
            assertThat(srq.control()).isEqualTo(0x60);
            c.sendAsync(SpecHislipClient.header(21, 0, c.lastSentId, new byte[0])); // AsyncStatusQuery
            Msg stb = c.readAsync();
            assertThat(stb.type()).as("AsyncStatusResponse").isEqualTo(22);
            assertThat(stb.control()).as("RQS and ESB").isEqualTo(96);
            c.sendAsync(SpecHislipClient.header(21, 0, c.lastSentId, new byte[0]));
            assertThat(c.readAsync().control()).as("the poll cleared RQS").isEqualTo(32);
        }
    }

    @Test
    void tooLargeIsErrorFourAndTheSessionGoesOn() throws IOException {
        server.maxMessageSize(64);
        try (SpecHislipClient c = SpecHislipClient.open(server.port(), 1 << 20)) {
            c.sendDataEnd("X".repeat(100));
            Msg e = c.readSync();
            assertThat(e.headerHex()).startsWith("48 53 03 04 00 00 00 00");
            assertThat(e.text()).isEqualTo("Message too large");
            assertThat(c.readReply(c.sendDataEnd("*IDN?"))).isEqualTo(IDN);
        }
    }

    @Test
    void badPrologueIsFatalErrorOneAndTheConnectionCloses() throws IOException {
        try (SpecHislipClient c = SpecHislipClient.syncOnly(server.port())) {
            c.sendSync("*IDN?\n".getBytes());
            Msg f = c.readSync();
            assertThat(f.headerHex()).startsWith("48 53 02 01 00 00 00 00");
            assertThat(SpecHislipClient.closedByPeer(c.sync)).isTrue();
        }
    }

    @Test
    void asyncInitializeForAnUnknownSessionIsFatalErrorThree() throws IOException {
        try (SpecHislipClient c = SpecHislipClient.syncOnly(server.port())) {
            c.openAsync(server.port(), 777);
            assertThat(c.readAsync().headerHex()).startsWith("48 53 02 03 00 00 00 00");
            assertThat(SpecHislipClient.closedByPeer(c.async)).isTrue();
        }
    }

    @Test
    void dataBeforeTheAsyncChannelIsFatalErrorTwo() throws IOException {
        try (SpecHislipClient c = SpecHislipClient.syncOnly(server.port())) {
            c.sendSync(SpecHislipClient.header(0, 0, 0x0100 << 16 | 'L' << 8 | 'W', SpecHislipClient.ascii("hislip0")));
            c.readSync();
            c.sendDataEnd("*IDN?\n");
            assertThat(c.readSync().headerHex()).startsWith("48 53 02 02 00 00 00 00");
        }
    }

    @Test
    void remoteLocalTriggerAndUnknownTypes() throws IOException {
        try (SpecHislipClient c = SpecHislipClient.open(server.port(), 1 << 20)) {
            c.sendAsync(SpecHislipClient.header(10, 5, c.lastSentId, new byte[0]));
            assertThat(c.readAsync().headerHex()).isEqualTo("48 53 0B 00 " + ZERO8 + " 00 00 00 00");
            assertThat(server.remoteLocal(c.sessionId))
                    .isEqualTo(dev.labwire.core.hislip.RemoteLocal.ENABLE_REMOTE_GO_TO_REMOTE_LOCK_OUT_LOCAL);
            c.sendTrigger();
            c.sendSync(SpecHislipClient.header(60, 0, 0, new byte[0]));           // reserved type
            assertThat(c.readSync().headerHex()).startsWith("48 53 03 01");
            assertThat(server.triggerCount()).as("the Trigger came before the reserved type").isEqualTo(1);
            c.sendAsync(SpecHislipClient.header(200, 0, 0, new byte[0]));         // vendor specific
            assertThat(c.readAsync().headerHex()).startsWith("48 53 03 03");
        }
    }
}
