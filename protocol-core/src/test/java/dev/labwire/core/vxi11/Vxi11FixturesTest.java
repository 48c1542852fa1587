package dev.labwire.core.vxi11;

import static dev.labwire.core.vxi11.Vxi11Fixtures.hex;
import static dev.labwire.core.vxi11.Vxi11Fixtures.unmarked;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.testing.Chunking;
import dev.labwire.core.vxi11.internal.Portmap;
import dev.labwire.core.vxi11.internal.RecordMarking;
import dev.labwire.core.vxi11.internal.RpcCall;
import dev.labwire.core.vxi11.internal.RpcReply;
import dev.labwire.core.vxi11.internal.Vxi11;
import dev.labwire.core.vxi11.internal.Vxi11Calls.CreateLinkParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceWriteParms;
import dev.labwire.core.vxi11.internal.Vxi11Results.CreateLinkResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceReadResp;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The hand-built fixtures decode to what the specification says, fed in every chunking, and encode back. */
class Vxi11FixturesTest {

    private static final byte[] GARBAGE = "GARBAGE!".getBytes(StandardCharsets.US_ASCII);

    /** Feeds chunks through record marking and describes every record (or error) with {@code describe}. */
    private static Function<List<byte[]>, List<String>> records(Function<byte[], String> describe) {
        return chunks -> {
            RecordMarking rm = new RecordMarking(4096);
            List<String> out = new ArrayList<>();
            for (byte[] c : chunks) {
                ByteBuffer in = ByteBuffer.wrap(c);
                while (true) {
                    byte[] rec;
                    try {
                        rec = rm.receive(in);
                    } catch (RemoteProtocolException e) {
                        out.add("error: " + e.getMessage());
                        continue;
                    }
                    if (rec == null) {
                        break;
                    }
                    try {
                        out.add(describe.apply(rec));
                    } catch (RemoteProtocolException e) {
                        out.add("bad record: " + e.getMessage());
                    }
                }
            }
            return out;
        };
    }

    @Test
    void createLinkCall() {
        Function<byte[], String> d = rec -> {
            RpcCall c = RpcCall.decode(rec);
            return c.xid() + " " + Integer.toHexString(c.program()) + "/" + c.version() + "/" + c.procedure() + " "
                    + CreateLinkParms.decode(c.arguments());
        };
        Chunking.assertEveryChunkingAndGarbage(Vxi11Fixtures.CREATE_LINK_CALL, GARBAGE, records(d),
                List.of("1 607af/1/10 " + new CreateLinkParms(0x1234, false, 10000, "inst0")));
        RpcCall call = RpcCall.of(1, Vxi11.CORE_PROGRAM, 1, Vxi11.CREATE_LINK,
                new CreateLinkParms(0x1234, false, 10000, "inst0").encode());
        assertThat(RecordMarking.frame(call.encode())).isEqualTo(Vxi11Fixtures.CREATE_LINK_CALL);
    }

    @Test
    void createLinkReply() {
        Function<byte[], String> d = rec -> CreateLinkResp.decode(RpcReply.decode(rec).results(1)).toString();
        Chunking.assertEveryChunkingAndGarbage(Vxi11Fixtures.CREATE_LINK_REPLY, GARBAGE, records(d),
                List.of(new CreateLinkResp(0, 7, 1024, 1 << 20).toString()));
        byte[] encoded = RpcReply.success(1, new CreateLinkResp(0, 7, 1024, 1 << 20).encode()).encode();
        assertThat(RecordMarking.frame(encoded)).isEqualTo(Vxi11Fixtures.CREATE_LINK_REPLY);
    }

    @Test
    void deviceWriteWithEnd() {
        DeviceWriteParms expected = new DeviceWriteParms(7, 1000, 0, Vxi11.FLAG_END,
                "*IDN?\n".getBytes(StandardCharsets.US_ASCII));
        Function<byte[], String> d = rec -> {
            RpcCall c = RpcCall.decode(rec);
            DeviceWriteParms p = DeviceWriteParms.decode(c.arguments());
            return c.procedure() + " " + p + " end=" + p.end() + " " + new String(p.data(), StandardCharsets.US_ASCII);
        };
        Chunking.assertEveryChunkingAndGarbage(Vxi11Fixtures.DEVICE_WRITE_CALL, GARBAGE, records(d),
                List.of("11 " + expected + " end=true *IDN?\n"));
        assertThat(RecordMarking.frame(RpcCall.of(2, Vxi11.CORE_PROGRAM, 1, Vxi11.DEVICE_WRITE, expected.encode())
                .encode())).isEqualTo(Vxi11Fixtures.DEVICE_WRITE_CALL);
    }

    @Test
    void deviceReadReplyWithReasonEnd() {
        Function<byte[], String> d = rec -> {
            DeviceReadResp r = DeviceReadResp.decode(RpcReply.decode(rec).results(3), 1024);
            return r.error() + " " + r.reason() + " " + r.end() + " " + new String(r.data(), StandardCharsets.US_ASCII);
        };
        Chunking.assertEveryChunkingAndGarbage(Vxi11Fixtures.DEVICE_READ_REPLY, GARBAGE, records(d),
                List.of("0 4 true ACME,X\n"));
        byte[] encoded = RpcReply.success(3, new DeviceReadResp(0, Vxi11.REASON_END,
                "ACME,X\n".getBytes(StandardCharsets.US_ASCII)).encode()).encode();
        assertThat(RecordMarking.frame(encoded)).isEqualTo(Vxi11Fixtures.DEVICE_READ_REPLY);
    }

    @Test
    void deviceReadReplyLongerThanAskedFails() {
        RpcReply reply = RpcReply.decode(unmarked(Vxi11Fixtures.DEVICE_READ_REPLY));
        assertThatThrownBy(() -> DeviceReadResp.decode(reply.results(3), 4))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("7 bytes long, more than its maximum 4");
    }

    @Test
    void getPortOverTcpAndUdp() {
        Function<byte[], String> call = rec -> {
            RpcCall c = RpcCall.decode(rec);
            return c.program() + "/" + c.version() + "/" + c.procedure() + " " + Portmap.decodeMapping(c.arguments());
        };
        String expected = "100000/2/3 " + new Portmap.Mapping(Vxi11.CORE_PROGRAM, 1, Portmap.IPPROTO_TCP, 0);
        Chunking.assertEveryChunkingAndGarbage(Vxi11Fixtures.GETPORT_CALL, GARBAGE, records(call), List.of(expected));
        assertThat(call.apply(unmarked(Vxi11Fixtures.GETPORT_CALL))).isEqualTo(expected);   // the UDP datagram
        assertThat(Portmap.getPortCall(0x10, Vxi11.CORE_PROGRAM, 1, Portmap.IPPROTO_TCP).encode())
                .isEqualTo(unmarked(Vxi11Fixtures.GETPORT_CALL));

        Function<byte[], String> reply = rec -> "port " + Portmap.decodePort(RpcReply.decode(rec), 0x10);
        Chunking.assertEveryChunkingAndGarbage(Vxi11Fixtures.GETPORT_REPLY, GARBAGE, records(reply), List.of("port 755"));
        assertThat(RpcReply.success(0x10, Portmap.encodePort(755)).encode())
                .isEqualTo(unmarked(Vxi11Fixtures.GETPORT_REPLY));
    }

    @Test
    void trailingGarbageIsReportedWithBothNumbers() {
        List<String> got = records(rec -> "record").apply(List.of(Vxi11Fixtures.GETPORT_REPLY, GARBAGE));
        assertThat(got).containsExactly("record",
                "error: RPC record of at least 1195463234 bytes exceeds the maximum of 4096 bytes; skipping it to its"
                        + " last fragment");
    }

    @Test
    void replyForAnotherCallIsRefused() {
        RpcReply r = RpcReply.decode(unmarked(Vxi11Fixtures.GETPORT_REPLY));
        assertThatThrownBy(() -> Portmap.decodePort(r, 0x11)).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("xid 0x10 answers no pending call (expected 0x11)");
    }

    @Test
    void callWithAuthSysCredentialsKeepsItsArguments() {
        byte[] call = hex("00000020 00000000 00000002 000186a0 00000002 00000003"
                + "00000001 00000014 00000000 00000004 686f7374 00000000 00000000" // AUTH_SYS: stamp, "host", uid, gid
                + "00000000 00000000"
                + "000607af 00000001 00000006 00000000");
        RpcCall c = RpcCall.decode(call);
        assertThat(c.credentialFlavor()).isEqualTo(1);
        assertThat(Portmap.decodeMapping(c.arguments()).program()).isEqualTo(Vxi11.CORE_PROGRAM);
    }

    @Test
    void multiFragmentRecordIsReassembled() {
        byte[] fragmented = RecordMarking.frame(unmarked(Vxi11Fixtures.CREATE_LINK_CALL), 7);
        assertThat(fragmented.length).isEqualTo(64 + 4 * 10);
        Chunking.assertEveryChunking(fragmented, records(rec -> CreateLinkParms.decode(RpcCall.decode(rec).arguments())
                .device()), List.of("inst0"));
        // hand-made: "ab" then "c" (last), then an empty record
        Chunking.assertEveryChunking(hex("00000002 6162 80000001 63 80000000"),
                records(rec -> new String(rec, StandardCharsets.US_ASCII)), List.of("abc", ""));
    }

    @Test
    void oversizedRecordFailsThenTheNextOneIsRead() {
        byte[] big = RecordMarking.frame(new byte[100], 30);   // 4 fragments
        byte[] stream = new byte[big.length + Vxi11Fixtures.GETPORT_REPLY.length];
        System.arraycopy(big, 0, stream, 0, big.length);
        System.arraycopy(Vxi11Fixtures.GETPORT_REPLY, 0, stream, big.length, Vxi11Fixtures.GETPORT_REPLY.length);
        Function<List<byte[]>, List<String>> run = chunks -> {
            RecordMarking rm = new RecordMarking(64);
            List<String> out = new ArrayList<>();
            for (byte[] c : chunks) {
                ByteBuffer in = ByteBuffer.wrap(c);
                while (true) {
                    try {
                        byte[] rec = rm.receive(in);
                        if (rec == null) {
                            break;
                        }
                        out.add("port " + Portmap.decodePort(RpcReply.decode(rec), 0x10));
                    } catch (RemoteProtocolException e) {
                        out.add(e.getMessage());
                    }
                }
            }
            return out;
        };
        Chunking.assertEveryChunking(stream, run, List.of(
                "RPC record of at least 90 bytes exceeds the maximum of 64 bytes; skipping it to its last fragment",
                "port 755"));
    }
}
