package dev.labwire.mock.vxi11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.vxi11.internal.Portmap;
import dev.labwire.core.vxi11.internal.RecordMarking;
import dev.labwire.core.vxi11.internal.RpcCall;
import dev.labwire.core.vxi11.internal.RpcException;
import dev.labwire.core.vxi11.internal.RpcReply;
import dev.labwire.core.vxi11.internal.Vxi11;
import dev.labwire.core.vxi11.internal.Vxi11Calls.CreateLinkParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceEnableSrqParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceGenericParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceLockParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceReadParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceRemoteFunc;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceSrqParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceWriteParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls;
import dev.labwire.core.vxi11.internal.Vxi11Results.CreateLinkResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceError;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceReadResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceReadStbResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceWriteResp;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import dev.labwire.mock.Vxi11Options;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The VXI-11 mock on loopback (ephemeral portmapper port), driven by a test client built on the core codecs. */
class Vxi11MockTest {

    private static final String IDN = "ACME,VXI-MOCK,42,1.0";

    private MockInstrument mock;

    @BeforeEach
    void start() {
        mock = MockInstrument.vxi11(Vxi11Options.defaults().portmapperPort(0).maxRecvSize(16)).scpi();
        mock.dictionary().identity(IDN);
    }

    @AfterEach
    void stop() {
        mock.close();
    }

    private RpcTestClient core() throws IOException {
        return new RpcTestClient(mock.port(), Vxi11.CORE_PROGRAM, Vxi11.VERSION);
    }

    private static int link(RpcTestClient c) throws IOException {
        CreateLinkResp r = CreateLinkResp.decode(c.call(Vxi11.CREATE_LINK, new CreateLinkParms(1, false, 0, "inst0")));
        assertThat(r.error()).isZero();
        return r.lid();
    }

    private static int write(RpcTestClient c, int lid, String text, int flags) throws IOException {
        DeviceWriteResp r = DeviceWriteResp.decode(c.call(Vxi11.DEVICE_WRITE,
                new DeviceWriteParms(lid, 1000, 0, flags, text.getBytes(StandardCharsets.ISO_8859_1))));
        return r.error() == 0 ? (int) r.size() : -r.error();
    }

    private static DeviceReadResp read(RpcTestClient c, int lid, long size, long ioTimeout, int flags, int term)
            throws IOException {
        return DeviceReadResp.decode(c.call(Vxi11.DEVICE_READ, new DeviceReadParms(lid, size, ioTimeout, 0, flags, term)),
                1 << 20);
    }

    private static String text(DeviceReadResp r) {
        return new String(r.data(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void portmapperAnswersGetPortOverTcpAndUdpAndRefusesOtherVersions() throws IOException {
        try (RpcTestClient pm = new RpcTestClient(mock.portmapperPort(), Portmap.PROGRAM, Portmap.VERSION)) {
            RpcCall get = Portmap.getPortCall(7, Vxi11.CORE_PROGRAM, Vxi11.VERSION, Portmap.IPPROTO_TCP);
            assertThat(Portmap.decodePort(pm.callRaw(get), 7)).isEqualTo(mock.port());
            RpcCall other = Portmap.getPortCall(8, 0x20000000, 1, Portmap.IPPROTO_TCP);
            assertThat(Portmap.decodePort(pm.callRaw(other), 8)).isZero();
            assertThat(Portmap.decodeDump(pm.callRaw(RpcCall.of(9, Portmap.PROGRAM, 2, Portmap.PROC_DUMP, new byte[0]))
                    .results(9))).contains(new Portmap.Mapping(Vxi11.CORE_PROGRAM, 1, Portmap.IPPROTO_TCP, mock.port()));
            RpcReply v4 = pm.callRaw(RpcCall.of(10, Portmap.PROGRAM, 4, 3, new byte[0]));
            assertThat(v4.status()).isEqualTo(RpcReply.Status.PROG_MISMATCH);
            assertThat(v4.low()).isEqualTo(2);
            assertThat(v4.high()).isEqualTo(2);
        }
        try (DatagramSocket udp = new DatagramSocket()) {
            udp.setSoTimeout(10_000);
            byte[] call = Portmap.getPortCall(0x55, Vxi11.CORE_PROGRAM, Vxi11.VERSION, Portmap.IPPROTO_TCP).encode();
            udp.send(new DatagramPacket(call, call.length, InetAddress.getLoopbackAddress(), mock.portmapperPort()));
            DatagramPacket p = new DatagramPacket(new byte[1024], 1024);
            udp.receive(p);
            RpcReply reply = RpcReply.decode(java.util.Arrays.copyOf(p.getData(), p.getLength()));
            assertThat(Portmap.decodePort(reply, 0x55)).isEqualTo(mock.port());
        }
    }

    @Test
    void queryIsAnsweredAsOneMessageWithEnd() throws IOException {
        try (RpcTestClient c = core()) {
            int lid = link(c);
            assertThat(write(c, lid, "*IDN?\n", Vxi11.FLAG_END)).isEqualTo(6);
            DeviceReadResp r = read(c, lid, 1024, 2000, 0, 0);
            assertThat(r.error()).isZero();
            assertThat(r.reason()).isEqualTo(Vxi11.REASON_END);
            assertThat(text(r)).isEqualTo(IDN + "\n");
            assertThat(mock.takeCommand()).isEqualTo("*IDN?");
        }
    }

    @Test
    void chunkedWriteIsReassembledUntilEndAndOverlongWriteIsRefused() throws IOException {
        try (RpcTestClient c = core()) {
            int lid = link(c);
            String cmd = "ECHO? 0123456789abcdefghijklmnop\n";
            for (int at = 0; at < cmd.length(); at += 16) {
                int end = Math.min(cmd.length(), at + 16);
                assertThat(write(c, lid, cmd.substring(at, end), end == cmd.length() ? Vxi11.FLAG_END : 0))
                        .isEqualTo(end - at);
            }
            assertThat(text(read(c, lid, 1024, 2000, 0, 0))).isEqualTo("0123456789abcdefghijklmnop\n");
            assertThat(write(c, lid, "ECHO? 0123456789abcdefghij\n", Vxi11.FLAG_END)).isEqualTo(-5);   // > maxRecvSize 16
        }
    }

    @Test
    void readHonoursRequestSizeAndTermChar() throws IOException {
        try (RpcTestClient c = core()) {
            int lid = link(c);
            write(c, lid, "ECHO? abc,defgh\n", Vxi11.FLAG_END);
            DeviceReadResp first = read(c, lid, 3, 2000, 0, 0);
            assertThat(text(first)).isEqualTo("abc");
            assertThat(first.reason()).isEqualTo(Vxi11.REASON_REQCNT);
            DeviceReadResp second = read(c, lid, 100, 2000, Vxi11.FLAG_TERMCHRSET, 'g');
            assertThat(text(second)).isEqualTo(",defg");
            assertThat(second.reason()).isEqualTo(Vxi11.REASON_CHR);
            DeviceReadResp last = read(c, lid, 2, 2000, 0, 0);
            assertThat(text(last)).isEqualTo("h\n");
            assertThat(last.reason()).isEqualTo(Vxi11.REASON_END | Vxi11.REASON_REQCNT);
        }
    }

    @Test
    void lateReplyTimesOutThenArrives() throws IOException {
        mock.enqueue(MockReply.line("late").delay(Duration.ofMillis(400)));
        try (RpcTestClient c = core()) {
            int lid = link(c);
            write(c, lid, "MEAS?\n", Vxi11.FLAG_END);
            DeviceReadResp early = read(c, lid, 100, 50, 0, 0);
            assertThat(early.error()).isEqualTo(15);
            DeviceReadResp r = read(c, lid, 100, 5000, 0, 0);
            assertThat(r.error()).isZero();
            assertThat(text(r)).isEqualTo("late\n");
        }
    }

    @Test
    void statusByteShowsMavAndRqs() throws IOException {
        try (RpcTestClient c = core()) {
            int lid = link(c);
            DeviceGenericParms g = new DeviceGenericParms(lid, 0, 0, 1000);
            assertThat(DeviceReadStbResp.decode(c.call(Vxi11.DEVICE_READSTB, g)).stb()).isZero();
            write(c, lid, "*IDN?\n", Vxi11.FLAG_END);
            assertThat(DeviceReadStbResp.decode(c.call(Vxi11.DEVICE_READSTB, g)).stb()).isEqualTo(0x10);
            read(c, lid, 1024, 1000, 0, 0);
            mock.requestService();
            assertThat(DeviceReadStbResp.decode(c.call(Vxi11.DEVICE_READSTB, g)).stb()).isEqualTo(0x40);
            assertThat(DeviceReadStbResp.decode(c.call(Vxi11.DEVICE_READSTB, g)).stb()).isZero();
        }
    }

    @Test
    void deviceClearDropsThePendingAnswer() throws IOException {
        try (RpcTestClient c = core()) {
            int lid = link(c);
            write(c, lid, "*IDN?\n", Vxi11.FLAG_END);
            assertThat(DeviceError.decode(c.call(Vxi11.DEVICE_CLEAR, new DeviceGenericParms(lid, 0, 0, 1000))).error())
                    .isZero();
            assertThat(read(c, lid, 1024, 100, 0, 0).error()).isEqualTo(15);
            assertThat(mock.commands()).contains(Vxi11Options.DEVICE_CLEAR_COMMAND);
        }
    }

    @Test
    void locksAreExclusiveAndReleasedWhenTheConnectionEnds() throws Exception {
        try (RpcTestClient a = core(); RpcTestClient b = core()) {
            int la = link(a);
            int lb = link(b);
            assertThat(DeviceError.decode(a.call(Vxi11.DEVICE_LOCK, new DeviceLockParms(la, 0, 0))).error()).isZero();
            assertThat(DeviceError.decode(b.call(Vxi11.DEVICE_LOCK, new DeviceLockParms(lb, Vxi11.FLAG_WAITLOCK, 50)))
                    .error()).isEqualTo(11);
            assertThat(write(b, lb, "*IDN?\n", Vxi11.FLAG_END)).isEqualTo(-11);
            assertThat(DeviceError.decode(b.call(Vxi11.DEVICE_UNLOCK, Vxi11Calls.encodeLink(lb))).error()).isEqualTo(12);
            // b waits (waitlock, 10 s) while a's connection goes away: the lock is released and b gets it
            CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return DeviceError.decode(b.call(Vxi11.DEVICE_LOCK, new DeviceLockParms(lb, Vxi11.FLAG_WAITLOCK,
                            10_000))).error();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            a.close();
            assertThat(waiting.get(10, TimeUnit.SECONDS)).isZero();
            assertThat(DeviceError.decode(b.call(Vxi11.DEVICE_UNLOCK, Vxi11Calls.encodeLink(lb))).error()).isZero();
        }
    }

    @Test
    void abortEndsAWaitingRead() throws Exception {
        try (RpcTestClient c = core()) {
            CreateLinkResp link = CreateLinkResp.decode(c.call(Vxi11.CREATE_LINK, new CreateLinkParms(1, false, 0, "inst0")));
            assertThat(link.abortPort()).isEqualTo(mock.abortPort());
            assertThat(link.maxRecvSize()).isEqualTo(16);
            CompletableFuture<DeviceReadResp> reading = CompletableFuture.supplyAsync(() -> {
                try {
                    return read(c, link.lid(), 100, 30_000, 0, 0);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (RpcTestClient abort = new RpcTestClient(link.abortPort(), Vxi11.ABORT_PROGRAM, Vxi11.VERSION)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!reading.isDone() && System.nanoTime() < deadline) {   // until the read is waiting and aborted
                    assertThat(DeviceError.decode(abort.call(Vxi11.DEVICE_ABORT, Vxi11Calls.encodeLink(link.lid())))
                            .error()).isZero();
                    try {
                        reading.get(20, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        // not yet
                    }
                }
                assertThat(reading.get(1, TimeUnit.SECONDS).error()).isEqualTo(23);
                assertThat(DeviceError.decode(abort.call(Vxi11.DEVICE_ABORT, Vxi11Calls.encodeLink(999))).error())
                        .isEqualTo(4);
            }
        }
    }

    @Test
    void serviceRequestIsCalledBackOnTheInterruptChannel() throws IOException {
        try (ServerSocket host = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()); RpcTestClient c = core()) {
            host.setSoTimeout(10_000);
            int lid = link(c);
            DeviceRemoteFunc f = new DeviceRemoteFunc(0x7F000001L, host.getLocalPort(), Vxi11.INTR_PROGRAM, 1,
                    Vxi11.FAMILY_TCP);
            assertThat(DeviceError.decode(c.call(Vxi11.CREATE_INTR_CHAN, f)).error()).isZero();
            assertThat(DeviceError.decode(c.call(Vxi11.CREATE_INTR_CHAN, f)).error()).isEqualTo(29);
            try (Socket back = host.accept()) {
                byte[] handle = {1, 2, 3, 4, 5};
                assertThat(DeviceError.decode(c.call(Vxi11.DEVICE_ENABLE_SRQ, new DeviceEnableSrqParms(lid, true,
                        handle))).error()).isZero();
                for (String cmd : new String[] {"*ESE 1\n", "*SRE 32\n", "*OPC\n"}) {   // OPC -> ESB -> MSS rises
                    assertThat(write(c, lid, cmd, Vxi11.FLAG_END)).isEqualTo(cmd.length());
                }
                back.setSoTimeout(10_000);
                RpcCall srq = RpcCall.decode(readRecord(back.getInputStream()));
                assertThat(srq.program()).isEqualTo(Vxi11.INTR_PROGRAM);
                assertThat(srq.procedure()).isEqualTo(Vxi11.DEVICE_INTR_SRQ);
                assertThat(DeviceSrqParms.decode(srq.arguments()).handle()).isEqualTo(handle);
                assertThat(mock.requestService()).as("the test's own trigger calls back too").isEqualTo(1);
                RpcCall again = RpcCall.decode(readRecord(back.getInputStream()));
                assertThat(again.xid()).isNotEqualTo(srq.xid());
                assertThat(DeviceReadStbResp.decode(c.call(Vxi11.DEVICE_READSTB, new DeviceGenericParms(lid, 0, 0, 100)))
                        .stb()).isEqualTo(0x60);   // RQS and ESB
            }
            assertThat(DeviceError.decode(c.call(Vxi11.DESTROY_INTR_CHAN, new byte[0])).error()).isZero();
            assertThat(DeviceError.decode(c.call(Vxi11.DESTROY_INTR_CHAN, new byte[0])).error()).isEqualTo(6);
        }
    }

    private static byte[] readRecord(InputStream in) throws IOException {
        RecordMarking rm = new RecordMarking(4096);
        byte[] one = new byte[1];
        while (true) {
            if (in.read(one) < 0) {
                throw new IOException("closed before a whole record");
            }
            byte[] rec = rm.receive(ByteBuffer.wrap(one));
            if (rec != null) {
                return rec;
            }
        }
    }

    @Test
    void triggerExecutesStarTrgAndRemoteLocalAreAccepted() throws IOException {
        try (RpcTestClient c = core()) {
            int lid = link(c);
            DeviceGenericParms g = new DeviceGenericParms(lid, 0, 0, 1000);
            for (int proc : new int[] {Vxi11.DEVICE_TRIGGER, Vxi11.DEVICE_REMOTE, Vxi11.DEVICE_LOCAL}) {
                assertThat(DeviceError.decode(c.call(proc, g)).error()).as("procedure %d", proc).isZero();
            }
            assertThat(mock.commands()).containsExactly("*TRG");
            assertThat(DeviceError.decode(c.call(Vxi11.DEVICE_TRIGGER, new DeviceGenericParms(lid + 1, 0, 0, 1000)))
                    .error()).isEqualTo(4);
        }
    }

    @Test
    void stalledDeviceAnswersNothingUntilDeviceClear() throws IOException {
        mock.enqueue(MockReply.stall());
        try (RpcTestClient c = core()) {
            int lid = link(c);
            write(c, lid, "MEAS?\n", Vxi11.FLAG_END);
            write(c, lid, "*IDN?\n", Vxi11.FLAG_END);
            assertThat(read(c, lid, 100, 100, 0, 0).error()).isEqualTo(15);
            c.call(Vxi11.DEVICE_CLEAR, new DeviceGenericParms(lid, 0, 0, 1000));
            write(c, lid, "*IDN?\n", Vxi11.FLAG_END);
            assertThat(text(read(c, lid, 100, 2000, 0, 0))).isEqualTo(IDN + "\n");
            assertThat(mock.commands()).containsExactly("MEAS?", "*IDN?", Vxi11Options.DEVICE_CLEAR_COMMAND, "*IDN?");
        }
    }

    @Test
    void badCallsGetTheirRpcOutcome() throws IOException {
        try (RpcTestClient c = core()) {
            assertThat(c.callRaw(99, new byte[0]).status()).isEqualTo(RpcReply.Status.PROC_UNAVAIL);
            RpcReply ping = c.callRaw(0, new byte[0]);   // NULL
            assertThat(ping.status()).isEqualTo(RpcReply.Status.SUCCESS);
            assertThat(ping.results()).isEmpty();
            assertThat(c.callRaw(Vxi11.CREATE_LINK, new byte[] {0, 0, 0, 1}).status())
                    .isEqualTo(RpcReply.Status.GARBAGE_ARGS);
            assertThat(c.callRaw(new RpcCall(5, 3, Vxi11.CORE_PROGRAM, 1, 10, 0, new byte[0])).status())
                    .isEqualTo(RpcReply.Status.RPC_MISMATCH);
            assertThat(c.callRaw(RpcCall.of(6, Vxi11.CORE_PROGRAM, 2, 10, new byte[0])).status())
                    .isEqualTo(RpcReply.Status.PROG_MISMATCH);
            CreateLinkResp bad = CreateLinkResp.decode(c.call(Vxi11.CREATE_LINK, new CreateLinkParms(1, false, 0, "gpib9")));
            assertThat(bad.error()).isEqualTo(3);
            assertThat(DeviceError.decode(c.call(Vxi11.DESTROY_LINK, Vxi11Calls.encodeLink(1234))).error()).isEqualTo(4);
            int lid = link(c);
            assertThat(mock.vxi11Links()).isEqualTo(1);
            assertThat(DeviceError.decode(c.call(Vxi11.DESTROY_LINK, Vxi11Calls.encodeLink(lid))).error()).isZero();
            assertThat(mock.vxi11Links()).isZero();
            assertThatThrownBy(() -> c.call(Vxi11.CREATE_LINK, new byte[] {1})).isInstanceOf(RpcException.class)
                    .hasMessageContaining("GARBAGE_ARGS");
        }
    }

    @Test
    void emptyReadsFaultAnswersAtOnceWithNoDataAndNoReasonUntilTheReplyIsReadable() throws IOException {
        try (MockInstrument faulty = MockInstrument.vxi11(Vxi11Options.defaults().portmapperPort(0).emptyReads(true))
                .scpi(); RpcTestClient c = new RpcTestClient(faulty.port(), Vxi11.CORE_PROGRAM, Vxi11.VERSION)) {
            faulty.enqueue(MockReply.line("7.5").delay(Duration.ofMillis(300)));
            int lid = link(c);
            assertThat(write(c, lid, "MEAS?\n", Vxi11.FLAG_END)).isEqualTo(6);
            long start = System.nanoTime();
            DeviceReadResp r = read(c, lid, 1024, 10_000, 0, 0);
            assertThat(System.nanoTime() - start).as("no wait for io_timeout (10 s) nor for the reply (300 ms)")
                    .isLessThan(TimeUnit.MILLISECONDS.toNanos(250));
            assertThat(r.error()).isZero();
            assertThat(r.reason()).isZero();
            assertThat(r.data()).isEmpty();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (r.reason() == 0 && System.nanoTime() < deadline) {
                assertThat(r.data()).isEmpty();
                r = read(c, lid, 1024, 10_000, 0, 0);
            }
            assertThat(text(r)).isEqualTo("7.5\n");
            assertThat(r.reason()).isEqualTo(Vxi11.REASON_END);
            assertThat(faulty.vxi11DeviceReads()).as("device_read calls counted").isGreaterThan(2);
        }
    }
}
