package dev.labwire.core.hislip;

import static dev.labwire.core.hislip.HislipBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.Chunking;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every HiSLIP 1.0 message, in both directions, as bytes written by hand from the IVI-6.1 message table
 * (prologue 48 53, type, control code, 4-byte parameter, 8-byte big-endian length, payload): the factory must
 * produce exactly these bytes, and the decoder must give the message back whole, byte by byte, at every split and
 * with trailing garbage.
 */
class HislipMessageFixturesTest {

    static Stream<Arguments> fixtures() {
        return Stream.of(
                // ---- client to server ----
                f("Initialize 1.0 'LW' hislip0", HislipMessage.initialize(0x0100, "LW", "hislip0"),
                        "48 53 00 00 01 00 4C 57 00 00 00 00 00 00 00 07 68 69 73 6C 69 70 30"),
                f("AsyncInitialize session 0x0102", HislipMessage.asyncInitialize(0x0102),
                        "48 53 11 00 00 00 01 02 00 00 00 00 00 00 00 00"),
                f("AsyncMaximumMessageSize 1 MiB", HislipMessage.asyncMaximumMessageSize(1 << 20),
                        "48 53 0F 00 00 00 00 00 00 00 00 00 00 00 00 08 00 00 00 00 00 10 00 00"),
                f("Data id FFFFFF00", HislipMessage.data(false, 0xFFFFFF00, "VOLT 5".getBytes()),
                        "48 53 06 00 FF FF FF 00 00 00 00 00 00 00 00 06 56 4F 4C 54 20 35"),
                f("DataEnd RMT id FFFFFF02", HislipMessage.dataEnd(true, 0xFFFFFF02, "*IDN?\n".getBytes()),
                        "48 53 07 01 FF FF FF 02 00 00 00 00 00 00 00 06 2A 49 44 4E 3F 0A"),
                f("Trigger id FFFFFF04", HislipMessage.trigger(false, 0xFFFFFF04),
                        "48 53 0C 00 FF FF FF 04 00 00 00 00 00 00 00 00"),
                f("AsyncLock exclusive 1000 ms", HislipMessage.asyncLockRequest(1000, ""),
                        "48 53 04 01 00 00 03 E8 00 00 00 00 00 00 00 00"),
                f("AsyncLock shared 'grp' 0 ms", HislipMessage.asyncLockRequest(0, "grp"),
                        "48 53 04 01 00 00 00 00 00 00 00 00 00 00 00 03 67 72 70"),
                f("AsyncLock release", HislipMessage.asyncLockRelease(0xFFFFFF02),
                        "48 53 04 00 FF FF FF 02 00 00 00 00 00 00 00 00"),
                f("AsyncLockInfo", HislipMessage.asyncLockInfo(),
                        "48 53 18 00 00 00 00 00 00 00 00 00 00 00 00 00"),
                f("AsyncRemoteLocalControl 5", HislipMessage.asyncRemoteLocalControl(
                        RemoteLocal.ENABLE_REMOTE_GO_TO_REMOTE_LOCK_OUT_LOCAL, 0xFFFFFEFE),
                        "48 53 0A 05 FF FF FE FE 00 00 00 00 00 00 00 00"),
                f("AsyncDeviceClear", HislipMessage.asyncDeviceClear(),
                        "48 53 13 00 00 00 00 00 00 00 00 00 00 00 00 00"),
                f("DeviceClearComplete synchronized", HislipMessage.deviceClearComplete(false),
                        "48 53 08 00 00 00 00 00 00 00 00 00 00 00 00 00"),
                f("AsyncStatusQuery RMT", HislipMessage.asyncStatusQuery(true, 0xFFFFFF02),
                        "48 53 15 01 FF FF FF 02 00 00 00 00 00 00 00 00"),
                f("GetDescriptors (2.0)", HislipMessage.of(MessageType.GET_DESCRIPTORS, 0, 0, new byte[0]),
                        "48 53 1A 00 00 00 00 00 00 00 00 00 00 00 00 00"),
                // ---- server to client ----
                f("InitializeResponse synchronized 1.0 session 1", HislipMessage.initializeResponse(false, 0x0100, 1),
                        "48 53 01 00 01 00 00 01 00 00 00 00 00 00 00 00"),
                f("InitializeResponse overlapped session 42", HislipMessage.initializeResponse(true, 0x0100, 42),
                        "48 53 01 01 01 00 00 2A 00 00 00 00 00 00 00 00"),
                f("AsyncInitializeResponse 'LW'", HislipMessage.asyncInitializeResponse("LW"),
                        "48 53 12 00 00 00 4C 57 00 00 00 00 00 00 00 00"),
                f("AsyncMaximumMessageSizeResponse 64 KiB", HislipMessage.asyncMaximumMessageSizeResponse(65536),
                        "48 53 10 00 00 00 00 00 00 00 00 00 00 00 00 08 00 00 00 00 00 01 00 00"),
                f("FatalError 1", HislipMessage.fatalError(FatalErrorCode.POORLY_FORMED_HEADER),
                        "48 53 02 01 00 00 00 00 00 00 00 00 00 00 00 1C"
                                + " 50 6F 6F 72 6C 79 20 66 6F 72 6D 65 64 20 6D 65 73 73 61 67 65 20 68 65 61 64 65 72"),
                f("Error 4", HislipMessage.error(ErrorCode.MESSAGE_TOO_LARGE),
                        "48 53 03 04 00 00 00 00 00 00 00 00 00 00 00 11"
                                + " 4D 65 73 73 61 67 65 20 74 6F 6F 20 6C 61 72 67 65"),
                f("AsyncLockResponse success", HislipMessage.asyncLockResponse(LockResult.SUCCESS),
                        "48 53 05 01 00 00 00 00 00 00 00 00 00 00 00 00"),
                f("AsyncLockResponse shared released", HislipMessage.asyncLockResponse(LockResult.SUCCESS_SHARED),
                        "48 53 05 02 00 00 00 00 00 00 00 00 00 00 00 00"),
                f("AsyncLockInfoResponse exclusive, 2 holders", HislipMessage.asyncLockInfoResponse(true, 2),
                        "48 53 19 01 00 00 00 02 00 00 00 00 00 00 00 00"),
                f("server Data id FFFFFF02", HislipMessage.data(false, 0xFFFFFF02, "LAB".getBytes()),
                        "48 53 06 00 FF FF FF 02 00 00 00 00 00 00 00 03 4C 41 42"),
                f("server DataEnd id FFFFFF02", HislipMessage.dataEnd(false, 0xFFFFFF02, "WIRE\n".getBytes()),
                        "48 53 07 00 FF FF FF 02 00 00 00 00 00 00 00 05 57 49 52 45 0A"),
                f("DeviceClearAcknowledge synchronized", HislipMessage.deviceClearAcknowledge(false),
                        "48 53 09 00 00 00 00 00 00 00 00 00 00 00 00 00"),
                f("AsyncDeviceClearAcknowledge overlap", HislipMessage.asyncDeviceClearAcknowledge(true),
                        "48 53 17 01 00 00 00 00 00 00 00 00 00 00 00 00"),
                f("AsyncRemoteLocalResponse", HislipMessage.asyncRemoteLocalResponse(),
                        "48 53 0B 00 00 00 00 00 00 00 00 00 00 00 00 00"),
                f("Interrupted", HislipMessage.interrupted(0xFFFFFF04),
                        "48 53 0D 00 FF FF FF 04 00 00 00 00 00 00 00 00"),
                f("AsyncInterrupted", HislipMessage.asyncInterrupted(0xFFFFFF04),
                        "48 53 0E 00 FF FF FF 04 00 00 00 00 00 00 00 00"),
                f("AsyncServiceRequest STB 0x50", HislipMessage.asyncServiceRequest(0x50),
                        "48 53 14 50 00 00 00 00 00 00 00 00 00 00 00 00"),
                f("AsyncStatusResponse STB 0x10", HislipMessage.asyncStatusResponse(0x10),
                        "48 53 16 10 00 00 00 00 00 00 00 00 00 00 00 00"),
                f("vendor specific 0x80", new HislipMessage(0x80, 7, 0x01020304, new byte[] {9}),
                        "48 53 80 07 01 02 03 04 00 00 00 00 00 00 00 01 09"));
    }

    private static Arguments f(String name, HislipMessage m, String hex) {
        return Arguments.of(name, m, hex(hex));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void encodesToTheSpecBytes(String name, HislipMessage message, byte[] wire) {
        assertThat(message.encode()).as(name).containsExactly(wire);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void decodesInEveryChunkingAndBeforeGarbage(String name, HislipMessage message, byte[] wire) {
        Chunking.assertEveryChunkingAndGarbage(wire, hex("58 59 5A"), HislipBytes::run, List.of(message.toString()));
        // the garbage after the message breaks the channel (no prologue) instead of being taken as a message
        assertThat(HislipBytes.run(List.of(wire, hex("58 59 5A")))).last()
                .isEqualTo("FAILURE fatal FatalError 1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void twoInARowDecodeAsTwo(String name, HislipMessage message, byte[] wire) {
        byte[] both = new byte[wire.length * 2];
        System.arraycopy(wire, 0, both, 0, wire.length);
        System.arraycopy(wire, 0, both, wire.length, wire.length);
        Chunking.assertEveryChunking(both, HislipBytes::run, List.of(message.toString(), message.toString()));
    }
}
