package dev.labwire.examples.hislip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.hislip.ErrorCode;
import dev.labwire.core.hislip.FatalErrorCode;
import dev.labwire.core.hislip.HislipMessage;
import dev.labwire.core.hislip.LockResult;
import dev.labwire.core.hislip.RemoteLocal;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every HiSLIP 1.0 message our encoders make, in both directions, read back by Wireshark's HiSLIP dissector
 * (tshark): each message goes in its own TCP segment of a pcap written here (client port 50000, server port 4880),
 * and each decoded field must hold the value IVI-6.1 gives it. Skipped when tshark is not installed (.ci/run
 * installs it).
 */
class HislipWiresharkFixturesTest {

    /** A message, who sends it, and fields Wireshark must show ("field=value"). */
    private record Case(HislipMessage m, boolean fromClient, String... expect) {
    }

    private static List<Case> cases() {
        return List.of(
                new Case(HislipMessage.initialize(0x0100, "LW", "hislip0"), true, "hislip.messagetype=0x00",
                        "hislip.msgpara.clientproto=0x0100", "hislip.msgpara.vendorID=0x4c57", "hislip.data=hislip0"),
                new Case(HislipMessage.initializeResponse(true, 0x0100, 0x2A), false, "hislip.messagetype=0x01",
                        "hislip.controlcode.overlap=0x01", "hislip.msgpara.servproto=0x0100",
                        "hislip.msgpara.sessionid=0x002a"),
                new Case(HislipMessage.asyncInitialize(0x2A), true, "hislip.messagetype=0x11",
                        "hislip.msgpara.sessionid=0x002a"),
                new Case(HislipMessage.asyncInitializeResponse("LW"), false, "hislip.messagetype=0x12",
                        "hislip.msgpara.vendorID=0x4c57"),
                new Case(HislipMessage.asyncMaximumMessageSize(65_536), true, "hislip.messagetype=0x0f",
                        "hislip.maxmsgsize=65536"),
                new Case(HislipMessage.asyncMaximumMessageSizeResponse(1 << 20), false, "hislip.messagetype=0x10",
                        "hislip.maxmsgsize=1048576"),
                new Case(HislipMessage.data(true, 0xFFFFFF00, "VOLT ".getBytes()), true, "hislip.messagetype=0x06",
                        "hislip.controlcode.rmt=0x01", "hislip.msgpara.messageid=0xffffff00",
                        "hislip.payloadlength=5"),
                new Case(HislipMessage.dataEnd(false, 0xFFFFFF02, "5\n".getBytes()), true, "hislip.messagetype=0x07",
                        "hislip.controlcode.rmt=0x00", "hislip.msgpara.messageid=0xffffff02"),
                new Case(HislipMessage.dataEnd(false, 0xFFFFFF02, "ok\n".getBytes()), false,
                        "hislip.messagetype=0x07", "hislip.msgpara.messageid=0xffffff02"),
                new Case(HislipMessage.trigger(true, 0xFFFFFF04), true, "hislip.messagetype=0x0c",
                        "hislip.controlcode.rmt=0x01", "hislip.msgpara.messageid=0xffffff04"),
                new Case(HislipMessage.asyncLockRequest(1000, ""), true, "hislip.messagetype=0x04",
                        "hislip.controlcode.asynclockcode=0x01", "hislip.msgpara.timeout=1000"),
                new Case(HislipMessage.asyncLockResponse(LockResult.SUCCESS), false, "hislip.messagetype=0x05",
                        "hislip.controlcode.asynclockresponse=0x01"),
                new Case(HislipMessage.asyncLockRequest(0, "grp"), true, "hislip.messagetype=0x04",
                        "hislip.controlcode.asynclockcode=0x01", "hislip.data=grp"),
                new Case(HislipMessage.asyncLockResponse(LockResult.FAILURE), false,
                        "hislip.controlcode.asynclockresponse=0x00"),
                new Case(HislipMessage.asyncLockRelease(0xFFFFFF04), true, "hislip.messagetype=0x04",
                        "hislip.controlcode.asynclockcode=0x00", "hislip.msgpara.messageid=0xffffff04"),
                new Case(HislipMessage.asyncLockResponse(LockResult.SUCCESS_SHARED), false,
                        "hislip.controlcode.asynclockresponse=0x02"),
                new Case(HislipMessage.asyncLockInfo(), true, "hislip.messagetype=0x18"),
                new Case(HislipMessage.asyncLockInfoResponse(true, 2), false, "hislip.messagetype=0x19",
                        "hislip.controlcode.asynclockinforesponse=0x01", "hislip.msgpara.clients=2"),
                new Case(HislipMessage.asyncRemoteLocalControl(RemoteLocal.ENABLE_REMOTE_GO_TO_REMOTE_LOCK_OUT_LOCAL,
                        0xFFFFFF04), true, "hislip.messagetype=0x0a",
                        "hislip.controlcode.asyncremotelocalcontrol=0x05", "hislip.msgpara.messageid=0xffffff04"),
                new Case(HislipMessage.asyncRemoteLocalResponse(), false, "hislip.messagetype=0x0b"),
                new Case(HislipMessage.asyncStatusQuery(true, 0xFFFFFF04), true, "hislip.messagetype=0x15",
                        "hislip.controlcode.rmt=0x01", "hislip.msgpara.messageid=0xffffff04"),
                new Case(HislipMessage.asyncStatusResponse(0x50), false, "hislip.messagetype=0x16",
                        "hislip.controlcode.stb=0x50"),
                new Case(HislipMessage.asyncDeviceClear(), true, "hislip.messagetype=0x13"),
                new Case(HislipMessage.asyncDeviceClearAcknowledge(true), false, "hislip.messagetype=0x17",
                        "hislip.controlcode.featurenegotiation=0x01"),
                new Case(HislipMessage.deviceClearComplete(false), true, "hislip.messagetype=0x08",
                        "hislip.controlcode.featurenegotiation=0x00"),
                new Case(HislipMessage.deviceClearAcknowledge(false), false, "hislip.messagetype=0x09",
                        "hislip.controlcode.featurenegotiation=0x00"),
                new Case(HislipMessage.asyncServiceRequest(0x41), false, "hislip.messagetype=0x14",
                        "hislip.controlcode.stb=0x41"),
                new Case(HislipMessage.interrupted(0xFFFFFF06), false, "hislip.messagetype=0x0d",
                        "hislip.msgpara.messageid=0xffffff06"),
                new Case(HislipMessage.asyncInterrupted(0xFFFFFF06), false, "hislip.messagetype=0x0e",
                        "hislip.msgpara.messageid=0xffffff06"),
                new Case(HislipMessage.error(ErrorCode.MESSAGE_TOO_LARGE), false, "hislip.messagetype=0x03",
                        "hislip.nonfatalerrorcode=0x04", "hislip.data=Message too large"),
                new Case(HislipMessage.fatalError(FatalErrorCode.POORLY_FORMED_HEADER), false,
                        "hislip.messagetype=0x02", "hislip.fatalerrcode=0x01",
                        "hislip.data=Poorly formed message header"));
    }

    private static final String[] FIELDS = {"hislip.messagetype", "hislip.controlcode.rmt",
        "hislip.controlcode.overlap", "hislip.controlcode.asynclockcode", "hislip.controlcode.asynclockresponse",
        "hislip.controlcode.asynclockinforesponse", "hislip.controlcode.asyncremotelocalcontrol",
        "hislip.controlcode.featurenegotiation", "hislip.controlcode.stb", "hislip.msgpara.messageid",
        "hislip.msgpara.sessionid", "hislip.msgpara.vendorID", "hislip.msgpara.clientproto", "hislip.msgpara.servproto",
        "hislip.msgpara.clients", "hislip.msgpara.timeout", "hislip.maxmsgsize", "hislip.payloadlength",
        "hislip.data", "hislip.fatalerrcode", "hislip.nonfatalerrorcode", "hislip.prologue"};

    @Test
    void wiresharkReadsEveryMessageAsTheSpecSays(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(HislipWiresharkTestSupport.onPath("tshark"), "tshark not installed");
        List<Case> cases = cases();
        Path pcap = dir.resolve("fixtures.pcap");
        Files.write(pcap, pcap(cases));
        List<String> cmd = new ArrayList<>(List.of("tshark", "-r", pcap.toString(), "-o", "tcp.analyze_sequence_numbers:FALSE",
                "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=;"));
        for (String f : FIELDS) {
            cmd.add("-e");
            cmd.add(f);
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) {
                lines.add(l);
            }
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(lines).as("one frame per message").hasSize(cases.size());
        for (int i = 0; i < cases.size(); i++) {
            String[] got = lines.get(i).split("\\|", -1);
            Case c = cases.get(i);
            assertThat(got[FIELDS.length - 1]).as("prologue of %s", c.m()).isEqualTo("HS");
            for (String e : c.expect()) {
                String field = e.substring(0, e.indexOf('='));
                String want = e.substring(e.indexOf('=') + 1);
                int at = List.of(FIELDS).indexOf(field);
                assertThat(got[at].replace("\\n", "\n").strip()).as("%s of %s (line %s)", field, c.m(), lines.get(i))
                        .isEqualTo(want);
            }
        }
    }

    /** A classic pcap (LINKTYPE_RAW, IPv4) with each message in its own TCP segment, sequence numbers running on. */
    private static byte[] pcap(List<Case> cases) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer g = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        g.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(101);
        out.writeBytes(g.array());
        long[] seq = {1000, 5000}; // client, server
        int t = 0;
        for (Case c : cases) {
            byte[] payload = c.m().encode();
            int clientPort = 50000;
            int src = c.fromClient() ? clientPort : 4880;
            int dst = c.fromClient() ? 4880 : clientPort;
            int dir = c.fromClient() ? 0 : 1;
            ByteBuffer pkt = ByteBuffer.allocate(40 + payload.length); // big-endian
            pkt.put((byte) 0x45).put((byte) 0).putShort((short) (40 + payload.length)).putShort((short) t)
                    .putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0)
                    .put(new byte[] {127, 0, 0, 1}).put(new byte[] {127, 0, 0, 1});
            pkt.putShort((short) src).putShort((short) dst).putInt((int) seq[dir]).putInt((int) seq[1 - dir])
                    .put((byte) 0x50).put((byte) 0x18).putShort((short) 65535).putShort((short) 0).putShort((short) 0)
                    .put(payload);
            seq[dir] += payload.length;
            ByteBuffer rec = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            rec.putInt(1_700_000_000 + t).putInt(0).putInt(pkt.capacity()).putInt(pkt.capacity());
            out.writeBytes(rec.array());
            out.writeBytes(pkt.array());
            t++;
        }
        return out.toByteArray();
    }
}
