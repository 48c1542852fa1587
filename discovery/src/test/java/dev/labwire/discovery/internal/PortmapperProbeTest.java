package dev.labwire.discovery.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The probe's bytes, checked against messages built here by hand from RFC 1833 / RFC 5531, not by the codec. */
class PortmapperProbeTest {

    static byte[] words(int... w) {
        ByteBuffer b = ByteBuffer.allocate(w.length * 4);
        for (int i : w) {
            b.putInt(i);
        }
        return b.array();
    }

    // xid, REPLY, MSG_ACCEPTED, verf AUTH_NONE (flavor, length 0), SUCCESS, port
    static byte[] reply(int xid, int port) {
        return words(xid, 1, 0, 0, 0, 0, port);
    }

    @Test
    void theDatagramIsAGetportCallForTheVxi11CoreProgramOverTcp() {
        assertThat(new PortmapperProbe(0x01020304).datagram()).isEqualTo(words(
                0x01020304, 0, 2,            // xid, CALL, RPC version 2
                100000, 2, 3,                // portmapper v2, PMAPPROC_GETPORT
                0, 0, 0, 0,                  // cred and verf: AUTH_NONE, empty
                0x0607AF, 1, 6, 0));         // VXI-11 core v1, IPPROTO_TCP, port ignored
    }

    @Test
    void aSuccessfulAnswerNamesTheCorePortOthersNameNothing() {
        PortmapperProbe p = new PortmapperProbe(77);
        assertThat(p.receive(reply(77, 1024))).isEqualTo(OptionalInt.of(1024));
        assertThat(p.receive(reply(77, 0))).as("rpcbind without VXI-11").isEmpty();
        assertThat(p.receive(reply(78, 1024))).as("an answer to another call").isEmpty();
        assertThat(p.receive(words(77, 1, 1, 0, 0))).as("MSG_DENIED RPC_MISMATCH").isEmpty();
        assertThat(p.receive(words(77, 1, 0, 0, 0, 1))).as("PROG_UNAVAIL").isEmpty();
        assertThat(p.receive(words(77, 0, 2, 100000, 2, 3, 0, 0, 0, 0))).as("a call, not a reply").isEmpty();
        assertThat(p.receive(reply(77, 70000))).as("a port out of range").isEmpty();
        byte[] trailing = Arrays.copyOf(reply(77, 1024), 32);
        assertThat(p.receive(trailing)).as("trailing bytes").isEmpty();
    }

    @Test
    void everyCutShortAnswerIsIgnoredWithoutThrowing() {
        PortmapperProbe p = new PortmapperProbe(5);
        byte[] whole = reply(5, 4321);
        for (int n = 0; n < whole.length; n++) {
            assertThat(p.receive(Arrays.copyOf(whole, n))).as("first %d bytes", n).isEmpty();
        }
        java.util.Random r = new java.util.Random(20);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[r.nextInt(64)];
            r.nextBytes(junk);
            assertThat(p.receive(junk)).isEmpty();
        }
    }
}
