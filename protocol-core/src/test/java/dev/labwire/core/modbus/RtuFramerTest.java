package dev.labwire.core.modbus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.bus.Checksum;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.InputBuffer;
import dev.labwire.core.testing.Chunking;
import dev.labwire.core.testing.FramerRun;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RtuFramer on the application spec's examples wrapped as RTU frames: every chunking, garbage, the silence rule. */
class RtuFramerTest {
    static final Duration GAP = Duration.ofMillis(4);

    /** {@code unit pdu} plus its CRC, low byte first. */
    static byte[] adu(int unit, int... pdu) {
        byte[] raw = new byte[1 + pdu.length];
        raw[0] = (byte) unit;
        for (int i = 0; i < pdu.length; i++) {
            raw[1 + i] = (byte) pdu[i];
        }
        return Checksum.crc16Modbus().append(raw);
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    // Modbus Application Protocol v1.1b3 section 6, the example of each function (responses)
    static final byte[] FC1_RSP = adu(0x11, 0x01, 0x03, 0xCD, 0x6B, 0x05);
    static final byte[] FC2_RSP = adu(0x11, 0x02, 0x03, 0xAC, 0xDB, 0x35);
    static final byte[] FC3_RSP = adu(0x11, 0x03, 0x06, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64);
    static final byte[] FC4_RSP = adu(0x11, 0x04, 0x02, 0x00, 0x0A);
    static final byte[] FC5_RSP = adu(0x11, 0x05, 0x00, 0xAC, 0xFF, 0x00);
    static final byte[] FC6_RSP = adu(0x11, 0x06, 0x00, 0x01, 0x00, 0x03);
    static final byte[] FC15_RSP = adu(0x11, 0x0F, 0x00, 0x13, 0x00, 0x0A);
    static final byte[] FC16_RSP = adu(0x11, 0x10, 0x00, 0x01, 0x00, 0x02);
    static final byte[] FC23_RSP = adu(0x11, 0x17, 0x0C, 0x00, 0xFE, 0x0A, 0xCD, 0x00, 0x01, 0x00, 0x03, 0x00, 0x0D, 0x00, 0xFF);
    static final byte[] EXC_RSP = adu(0x0A, 0x81, 0x02);

    @Test
    void theSerialSpecsCrcExample() {
        // Serial Line v1.02 / the application spec's FC 3 request to unit 0x11: CRC 0x8776, sent 76 87
        assertThat(adu(0x11, 0x03, 0x00, 0x6B, 0x00, 0x03)).containsExactly(0x11, 0x03, 0x00, 0x6B, 0x00, 0x03, 0x76, 0x87);
    }

    @Test
    void everyReplyOfTheSpecInEveryChunkingAndWithGarbageAfterIt() {
        for (byte[] f : List.of(FC1_RSP, FC2_RSP, FC3_RSP, FC4_RSP, FC5_RSP, FC6_RSP, FC15_RSP, FC16_RSP, FC23_RSP, EXC_RSP)) {
            Chunking.assertEveryChunkingAndGarbage(f, new byte[] {0x55, (byte) 0xAA, 0x01},
                    chunks -> FramerRun.run(() -> RtuFramer.forReplies(GAP), chunks, false), List.of(s(f)));
        }
    }

    @Test
    void backToBackRepliesSplitAnywhere() {
        byte[] two = concat(FC3_RSP, EXC_RSP, FC16_RSP);
        Chunking.assertEveryChunking(two, chunks -> FramerRun.run(() -> RtuFramer.forReplies(GAP), chunks, false),
                List.of(s(FC3_RSP), s(EXC_RSP), s(FC16_RSP)));
    }

    @Test
    void everyRequestOfTheSpecInEveryChunking() {
        byte[][] requests = {
            adu(0x11, 0x01, 0x00, 0x13, 0x00, 0x13),
            adu(0x11, 0x03, 0x00, 0x6B, 0x00, 0x03),
            adu(0x11, 0x05, 0x00, 0xAC, 0xFF, 0x00),
            adu(0x11, 0x0F, 0x00, 0x13, 0x00, 0x0A, 0x02, 0xCD, 0x01),
            adu(0x11, 0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0A, 0x01, 0x02),
            adu(0x11, 0x17, 0x00, 0x03, 0x00, 0x06, 0x00, 0x0E, 0x00, 0x03, 0x06, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF),
        };
        for (byte[] f : requests) {
            Chunking.assertEveryChunkingAndGarbage(f, new byte[] {0x01},
                    chunks -> FramerRun.run(() -> RtuFramer.forRequests(GAP), chunks, false), List.of(s(f)));
        }
    }

    @Test
    void aSilenceEndsNoiseSoTheReplyAfterItIsWhole() {
        RtuFramer f = RtuFramer.forReplies(GAP);
        List<String> got = timed(f, new long[] {0, 10_000_000}, new byte[] {0x55, 0x03, 0x02}, FC3_RSP);
        assertThat(got).containsExactly(s(new byte[] {0x55, 0x03, 0x02}), s(FC3_RSP));
    }

    @Test
    void withoutTheSilenceNoiseJoinsTheReply() {
        RtuFramer f = RtuFramer.forReplies(GAP);
        List<String> got = timed(f, new long[] {0, 1_000_000}, new byte[] {0x55, 0x03, 0x02}, FC3_RSP);
        assertThat(got.get(0)).isNotEqualTo(s(FC3_RSP)); // one damaged frame: the reader's CRC check refuses it
    }

    @Test
    void aReplyBrokenOffBySilenceIsDeliveredAsItIsAndTheNextOneIsWhole() {
        RtuFramer f = RtuFramer.forReplies(GAP);
        byte[] head = java.util.Arrays.copyOf(FC3_RSP, 5);
        List<String> got = timed(f, new long[] {0, 50_000_000}, head, FC4_RSP);
        assertThat(got).containsExactly(s(head), s(FC4_RSP));
    }

    @Test
    void aReplyReadLateAcrossTheFrameGapIsOneFrameWhenItsCrcIsGood() {
        // the wire had no silence; the driver read the rest 30 ms later (a USB adapter's latency timer, a GC pause)
        RtuFramer f = RtuFramer.forReplies(GAP);
        byte[] a = java.util.Arrays.copyOf(FC3_RSP, 4);
        byte[] b = java.util.Arrays.copyOfRange(FC3_RSP, 4, FC3_RSP.length);
        assertThat(timed(f, new long[] {0, 30_000_000}, a, b)).containsExactly(s(FC3_RSP));
        // after one unit of the address, and split in three reads
        f = RtuFramer.forReplies(GAP);
        assertThat(timed(f, new long[] {0, 30_000_000, 60_000_000}, java.util.Arrays.copyOf(FC3_RSP, 1),
                java.util.Arrays.copyOfRange(FC3_RSP, 1, 6), java.util.Arrays.copyOfRange(FC3_RSP, 6, FC3_RSP.length)))
                .containsExactly(s(FC3_RSP));
    }

    @Test
    void aLongReplyInUsbPacketsEachReadLateIsOneFrame() {
        // 125 registers at 9600 baud take 266 ms on the wire: an FTDI adapter hands them over in 64-byte packets every
        // 16 ms, and a reader a few ms late sees gaps past the 20 ms default frame gap
        int[] pdu = new int[2 + 250];
        pdu[0] = 0x03;
        pdu[1] = 250;
        for (int i = 2; i < pdu.length; i++) {
            pdu[i] = i * 7;
        }
        byte[] reply = adu(0x11, pdu);
        List<byte[]> chunks = new ArrayList<>();
        for (int at = 0; at < reply.length; at += 64) {
            chunks.add(java.util.Arrays.copyOfRange(reply, at, Math.min(reply.length, at + 64)));
        }
        long[] times = new long[chunks.size()];
        for (int i = 0; i < times.length; i++) {
            times[i] = i * 21_000_000L;
        }
        assertThat(timed(RtuFramer.forReplies(Duration.ofMillis(20)), times, chunks.toArray(new byte[0][])))
                .containsExactly(s(reply));
    }

    @Test
    void noiseAnnouncingALongFrameDoesNotHoldTheWholeReplyAfterTheSilence() {
        RtuFramer f = RtuFramer.forReplies(GAP);
        byte[] noise = {0x55, 0x03, (byte) 0xFA}; // "250 bytes follow"
        assertThat(timed(f, new long[] {0, 10_000_000}, noise, FC3_RSP)).containsExactly(s(noise), s(FC3_RSP));
        // and a reply after the silence that comes in two reads is whole at its last byte
        f = RtuFramer.forReplies(GAP);
        assertThat(timed(f, new long[] {0, 10_000_000, 10_500_000}, noise, java.util.Arrays.copyOf(FC3_RSP, 5),
                java.util.Arrays.copyOfRange(FC3_RSP, 5, FC3_RSP.length))).containsExactly(s(noise), s(FC3_RSP));
    }

    @Test
    void aTransceiversGlitchByteRightBeforeAReplyIsDroppedInEveryChunking() {
        // an RS485 driver turning to transmit puts 0x00 or 0xFF on the line with no silence before the reply
        for (byte[] glitch : List.of(new byte[] {0x00}, new byte[] {(byte) 0xFF}, new byte[] {0x00, (byte) 0xFF})) {
            for (byte[] f : List.of(FC1_RSP, FC3_RSP, FC6_RSP, FC16_RSP, FC23_RSP, EXC_RSP)) {
                Chunking.assertEveryChunking(concat(glitch, f),
                        chunks -> FramerRun.run(() -> RtuFramer.forReplies(GAP), chunks, false), List.of(s(f)));
            }
        }
        // and back to back: a glitch before each reply
        byte[] two = concat(new byte[] {(byte) 0xFF}, FC3_RSP, new byte[] {0x00}, EXC_RSP);
        Chunking.assertEveryChunking(two, chunks -> FramerRun.run(() -> RtuFramer.forReplies(GAP), chunks, false),
                List.of(s(FC3_RSP), s(EXC_RSP)));
    }

    @Test
    void aGlitchByteThatIsAlsoAUnitAddressIsDroppedWhenItsFrameIsCorruptAndAGoodOneFollows() {
        // a glitch is a start bit and a few more low bits before the line goes high again: the UART reads it LSB first
        // as 0xFF << k, and four of those (0x80, 0xC0, 0xE0, 0xF0) are addresses a unit may answer from
        for (int g : new int[] {0x80, 0xC0, 0xE0, 0xF0}) {
            for (byte[] f : List.of(FC1_RSP, FC3_RSP, FC6_RSP, FC16_RSP, FC23_RSP, EXC_RSP)) {
                Chunking.assertEveryChunking(concat(new byte[] {(byte) g}, f),
                        chunks -> FramerRun.run(() -> RtuFramer.forReplies(GAP), chunks, false), List.of(s(f)));
            }
            Chunking.assertEveryChunking(concat(new byte[] {(byte) g, 0x00}, FC3_RSP),
                    chunks -> FramerRun.run(() -> RtuFramer.forReplies(GAP), chunks, false), List.of(s(FC3_RSP)));
            // a unit that answers from that address keeps its frame, in every chunking
            byte[] unitThere = adu(g, 0x03, 0x02, 0x00, 0x01);
            Chunking.assertEveryChunking(unitThere, chunks -> FramerRun.run(() -> RtuFramer.forReplies(GAP), chunks, false),
                    List.of(s(unitThere)));
        }
        // a unit at such an address with a corrupt reply: the reader gets it as it is, at the latest when a silence
        // ends it (it is held only while a good frame could still follow the first byte)
        byte[] corruptFromC0 = adu(0xC0, 0x03, 0x04, 0x00, 0x01, 0x00, 0x02);
        corruptFromC0[corruptFromC0.length - 1] ^= 0x5A;
        assertThat(timed(RtuFramer.forReplies(GAP), new long[] {0, 10_000_000}, corruptFromC0, FC6_RSP))
                .containsExactly(s(corruptFromC0), s(FC6_RSP));
        // an address that is no glitch's shape is never dropped: the corrupt frame goes to the reader as it is
        byte[] notShaped = concat(new byte[] {0x11}, FC3_RSP);
        assertThat(FramerRun.run(() -> RtuFramer.forReplies(GAP), List.of(notShaped), false)).first()
                .isNotEqualTo(s(FC3_RSP));
    }

    @Test
    void aGlitchAndItsReplyInTwoReadsWithinTheFrameGapAreTheReply() {
        RtuFramer f = RtuFramer.forReplies(GAP);
        assertThat(timed(f, new long[] {0, 1_000_000}, new byte[] {(byte) 0xFF}, FC3_RSP)).containsExactly(s(FC3_RSP));
        // a silence after the lone byte: it is a frame of its own (for the reader to discard), and the reply is whole
        f = RtuFramer.forReplies(GAP);
        assertThat(timed(f, new long[] {0, 10_000_000}, new byte[] {(byte) 0xFF}, FC3_RSP))
                .containsExactly(s(new byte[] {(byte) 0xFF}), s(FC3_RSP));
    }

    @Test
    void aGoodFrameFromAReservedAddressIsKeptAndNoGoodFrameAfterAGlitchDropsNothing() {
        byte[] reserved = adu(0xF8, 0x03, 0x02, 0x00, 0x01);
        Chunking.assertEveryChunking(reserved, chunks -> FramerRun.run(() -> RtuFramer.forReplies(GAP), chunks, false),
                List.of(s(reserved)));
        byte[] corrupt = FC3_RSP.clone();
        corrupt[corrupt.length - 1] ^= 0x5A;
        byte[] glitchThenCorrupt = concat(new byte[] {(byte) 0xFF}, corrupt);
        assertThat(FramerRun.run(() -> RtuFramer.forReplies(GAP), List.of(glitchThenCorrupt), false))
                .containsExactly(s(glitchThenCorrupt)); // for the reader to refuse, as before
    }

    @Test
    void requestsToTheBroadcastAddressAreNotGlitches() {
        byte[] broadcast = adu(0x00, 0x06, 0x00, 0x01, 0x00, 0x03);
        Chunking.assertEveryChunking(broadcast, chunks -> FramerRun.run(() -> RtuFramer.forRequests(GAP), chunks, false),
                List.of(s(broadcast)));
    }

    @Test
    void gapsShorterThanTheFrameGapKeepAFrameTogether() {
        RtuFramer f = RtuFramer.forReplies(GAP);
        byte[] a = java.util.Arrays.copyOf(FC3_RSP, 4);
        byte[] b = java.util.Arrays.copyOfRange(FC3_RSP, 4, FC3_RSP.length);
        assertThat(timed(f, new long[] {0, 3_999_999}, a, b)).containsExactly(s(FC3_RSP));
    }

    @Test
    void zeroGapUsesTheLengthRuleAlone() {
        RtuFramer f = RtuFramer.forReplies(Duration.ZERO);
        byte[] a = java.util.Arrays.copyOf(FC3_RSP, 4);
        byte[] b = java.util.Arrays.copyOfRange(FC3_RSP, 4, FC3_RSP.length);
        assertThat(timed(f, new long[] {0, 5_000_000_000L}, a, b)).containsExactly(s(FC3_RSP));
    }

    @Test
    void anUnknownFunctionCodeIsDeliveredAtOnceForTheReaderToRefuse() {
        byte[] junk = {0x11, 0x2B, 0x0E, 0x01};
        assertThat(FramerRun.run(() -> RtuFramer.forReplies(GAP), List.of(junk), false)).containsExactly(s(junk));
    }

    @Test
    void memoryStaysBoundedWhateverArrives() {
        RtuFramer f = RtuFramer.forReplies(GAP);
        InputBuffer in = new InputBuffer(16);
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 100_000; i++) {
            in.append(new byte[] {(byte) r.nextInt(256)});
            while (f.decode(in) != FrameResult.NeedData.INSTANCE) {
                // drain
            }
            assertThat(in.readableBytes()).isLessThanOrEqualTo(RtuFramerLimits.MAX);
        }
    }

    @Test
    void theSilentIntervalFollowsTheSerialLineSpec() {
        assertThat(Modbus.silentInterval(9600)).isEqualTo(Duration.ofNanos(4_010_416));
        assertThat(Modbus.silentInterval(19200)).isEqualTo(Duration.ofNanos(2_005_208));
        assertThat(Modbus.silentInterval(38400)).isEqualTo(Duration.ofMillis(1).plusNanos(750_000));
        assertThat(Modbus.interCharacterTimeout(115200)).isEqualTo(Duration.ofNanos(750_000));
        assertThat(Modbus.interCharacterTimeout(9600)).isEqualTo(Duration.ofNanos(1_718_750));
    }

    /** Feeds each chunk at its time (ms offsets in nanos), as a connection does: receiving, append, drain. */
    static List<String> timed(RtuFramer f, long[] at, byte[]... chunks) {
        InputBuffer in = new InputBuffer(16);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < chunks.length; i++) {
            f.receiving(in, 1_000_000_000L + at[i]);
            in.append(chunks[i]);
            for (FrameResult r = f.decode(in); r != FrameResult.NeedData.INSTANCE; r = f.decode(in)) {
                out.add(((Frame) r).asString(StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    /** The largest frame, plus the glitch bytes that may wait before it. */
    static final class RtuFramerLimits {
        static final int MAX = 256 + 2;
    }
}
