package dev.labwire.core.hislip;

import static dev.labwire.core.hislip.HislipBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.testing.Chunking;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bounds and failures of the decoder, and the fields of decoded messages. */
class HislipDecoderTest {

    private static Decoded.Failure failure(HislipDecoder d, byte[]... chunks) {
        for (byte[] c : chunks) {
            d.receive(ByteBuffer.wrap(c));
        }
        Decoded r = d.next();
        assertThat(r).isInstanceOf(Decoded.Failure.class);
        return (Decoded.Failure) r;
    }

    @Test
    void fieldsOfInitializeAndItsResponse() {
        HislipMessage init = HislipMessage.initialize(0x0100, "LW", "hislip0");
        assertThat(init.type()).isEqualTo(MessageType.INITIALIZE);
        assertThat(init.protocolVersion()).isEqualTo(0x0100);
        assertThat(init.vendorId()).isEqualTo("LW");
        assertThat(init.text()).isEqualTo("hislip0");
        HislipMessage resp = HislipMessage.initializeResponse(true, 0x0100, 0xBEEF);
        assertThat(resp.flag()).isTrue();
        assertThat(resp.sessionId()).isEqualTo(0xBEEF);
        assertThat(resp.protocolVersion()).isEqualTo(0x0100);
        assertThat(HislipMessage.asyncMaximumMessageSizeResponse(123_456).maximumMessageSize()).isEqualTo(123_456);
        assertThat(HislipMessage.dataEnd(true, 0xFFFFFF00, new byte[0]).parameterUnsigned()).isEqualTo(0xFFFFFF00L);
    }

    @Test
    void badArgumentsNameTheValue() {
        assertThatThrownBy(() -> HislipMessage.initialize(0x0100, "LWX", "hislip0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"LWX\"");
        assertThatThrownBy(() -> HislipMessage.asyncInitialize(70_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70000");
        assertThatThrownBy(() -> new HislipMessage(256, 0, 0, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256");
        assertThatThrownBy(() -> HislipMessage.asyncLockRequest(0, "x".repeat(257)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("257");
        assertThatThrownBy(() -> new HislipMessage(16, 0, 0, new byte[3]).maximumMessageSize())
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("3 bytes");
        assertThatThrownBy(() -> LockResult.of(7)).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("7");
    }

    @Test
    void namesEveryTypeAndCode() {
        for (int t = 0; t <= 38; t++) {
            assertThat(MessageType.of(t).code()).isEqualTo(t);
        }
        assertThat(MessageType.of(39)).isEqualTo(MessageType.RESERVED);
        assertThat(MessageType.of(127)).isEqualTo(MessageType.RESERVED);
        assertThat(MessageType.of(128)).isEqualTo(MessageType.VENDOR_SPECIFIC);
        assertThat(MessageType.ASYNC_LOCK_INFO_RESPONSE.specName()).isEqualTo("AsyncLockInfoResponse");
        assertThat(MessageType.ASYNC_STATUS_QUERY.asynchronous()).isTrue();
        assertThat(MessageType.DATA_END.asynchronous()).isFalse();
        assertThat(FatalErrorCode.describe(3)).isEqualTo("Invalid Initialization Sequence");
        assertThat(FatalErrorCode.describe(200)).isEqualTo("Device defined error");
        assertThat(ErrorCode.describe(1)).isEqualTo("Unrecognized Message Type");
        assertThat(ErrorCode.describe(64)).isEqualTo("Reserved");
    }

    @Test
    void badPrologueIsFatalAndStaysBroken() {
        HislipDecoder d = new HislipDecoder("sync");
        Decoded.Failure f = failure(d, hex("48 54 07 00"));
        assertThat(f.fatal()).isTrue();
        assertThat(f.answer()).isEqualTo(HislipMessage.fatalError(FatalErrorCode.POORLY_FORMED_HEADER));
        assertThat(f.exception()).hasMessageContaining("\"HS\"").hasMessageContaining("sync");
        d.receive(ByteBuffer.wrap(HislipMessage.asyncDeviceClear().encode()));
        assertThat(d.next()).isSameAs(f);
        assertThat(d.buffered()).isZero();
    }

    @Test
    void badPrologueIsSeenOnItsFirstByte() {
        HislipDecoder d = new HislipDecoder("sync");
        assertThat(failure(d, hex("0A")).fatal()).isTrue();
    }

    @Test
    void tooLargeIsAnErrorNamingBothNumbersThenThePayloadIsSkipped() {
        HislipMessage big = HislipMessage.dataEnd(false, 0xFFFFFF00, new byte[100]);
        HislipMessage next = HislipMessage.asyncLockInfo();
        byte[] wire = concat(big.encode(), next.encode());
        Chunking.assertEveryChunking(wire, chunks -> HislipBytes.run(new HislipDecoder("t", 100), chunks, false),
                List.of("FAILURE error Error 4", next.toString()));
        HislipDecoder d = new HislipDecoder("t", 100);
        Decoded.Failure f = failure(d, wire);
        assertThat(f.fatal()).isFalse();
        assertThat(f.answer()).isEqualTo(HislipMessage.error(ErrorCode.MESSAGE_TOO_LARGE));
        assertThat(f.exception()).hasMessageContaining("100 bytes").hasMessageContaining("84 payload")
                .hasMessageContaining("DataEnd");
    }

    @Test
    void exactlyTheMaximumIsAccepted() {
        HislipMessage m = HislipMessage.dataEnd(false, 0, new byte[84]);
        assertThat(HislipBytes.run(new HislipDecoder("t", 100), List.of(m.encode()), false))
                .containsExactly(m.toString());
    }

    @Test
    void aTwoToTheSixtyThreeLengthNeitherAllocatesNorHangs() {
        byte[] header = hex("48 53 06 00 FF FF FF 00 80 00 00 00 00 00 00 00");
        HislipDecoder d = new HislipDecoder("sync");
        Decoded.Failure f = failure(d, header);
        assertThat(f.exception()).hasMessageContaining("9223372036854775808").hasMessageContaining("1048576");
        byte[] mb = new byte[1 << 20];
        for (int i = 0; i < 64; i++) {           // 64 MiB of payload: skipped, not kept
            d.receive(ByteBuffer.wrap(mb));
            assertThat(d.next()).isEqualTo(Decoded.NeedData.INSTANCE);
            assertThat(d.buffered()).isZero();
        }
    }

    @Test
    void anUnsignedMaximumLengthIsReadUnsigned() {
        byte[] header = hex("48 53 07 00 00 00 00 00 FF FF FF FF FF FF FF FF");
        Decoded.Failure f = failure(new HislipDecoder("async"), header);
        assertThat(f.exception()).hasMessageContaining("18446744073709551615");
    }

    @Test
    void endOfStreamInsideAMessageIsFatalWithTheCounts() {
        byte[] wire = HislipMessage.dataEnd(false, 0, "abcdef".getBytes()).encode();
        for (int cut = 1; cut < wire.length; cut++) {
            HislipDecoder d = new HislipDecoder("sync");
            d.receive(ByteBuffer.wrap(wire, 0, cut));
            assertThat(d.next()).isEqualTo(Decoded.NeedData.INSTANCE);
            d.receiveEof();
            Decoded r = d.next();
            assertThat(r).isInstanceOf(Decoded.Failure.class);
            assertThat(((Decoded.Failure) r).fatal()).isTrue();
            assertThat(((Decoded.Failure) r).exception().getMessage())
                    .contains(cut < 16 ? cut + " of 16 header bytes" : (cut - 16) + " of 6 payload bytes");
        }
    }

    @Test
    void endOfStreamBetweenMessagesIsQuiet() {
        HislipDecoder d = new HislipDecoder("sync");
        d.receive(ByteBuffer.wrap(HislipMessage.asyncLockInfo().encode()));
        d.receiveEof();
        assertThat(d.next()).isInstanceOf(Decoded.Message.class);
        assertThat(d.next()).isEqualTo(Decoded.NeedData.INSTANCE);
        assertThatThrownBy(() -> d.receive(ByteBuffer.wrap(new byte[1])))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theNegotiatedSizeAppliesToTheNextHeader() {
        HislipDecoder d = new HislipDecoder("sync");
        byte[] m = HislipMessage.dataEnd(false, 0, new byte[1000]).encode();
        d.receive(ByteBuffer.wrap(m));
        assertThat(d.next()).isInstanceOf(Decoded.Message.class);
        d.maxMessageSize(500);
        d.receive(ByteBuffer.wrap(m));
        assertThat(d.next()).isInstanceOf(Decoded.Failure.class);
        assertThatThrownBy(() -> d.maxMessageSize(15)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("15");
    }

    @Test
    void bufferGrowsWithArrivedBytesNotAnnouncedLength() {
        HislipDecoder d = new HislipDecoder("sync", Integer.MAX_VALUE);
        // announces 1 GiB, sends 10 bytes of it: nothing near 1 GiB is held
        byte[] header = hex("48 53 07 00 00 00 00 00 00 00 00 00 40 00 00 00");
        d.receive(ByteBuffer.wrap(header));
        d.receive(ByteBuffer.wrap(new byte[10]));
        assertThat(d.next()).isEqualTo(Decoded.NeedData.INSTANCE);
        assertThat(d.buffered()).isEqualTo(26);
        List<String> none = new ArrayList<>();
        HislipBytes.drain(d, none);
        assertThat(none).isEmpty();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
