package dev.labwire.core.rfc2217;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.labwire.core.rfc2217.internal.Telnet;
import dev.labwire.core.rfc2217.internal.TelnetOptions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Telnet option states (RFC 854/1143): what is answered, what the owner is told, and that nothing loops. */
class TelnetOptionsTest {

    /** Records what the options send and tell. */
    private static final class Recorder implements TelnetOptions.Peer {
        final List<String> sent = new ArrayList<>();
        final List<String> told = new ArrayList<>();
        final ArrayDeque<byte[]> out = new ArrayDeque<>();

        @Override
        public void send(byte[] command) {
            assertEquals(3, command.length);
            assertEquals((byte) Telnet.IAC, command[0]);
            sent.add(verb(command[1] & 0xFF) + " " + (command[2] & 0xFF));
            out.add(command);
        }

        @Override
        public void enabledUs(int option) {
            told.add("on " + option);
        }

        @Override
        public void disabledUs(int option) {
            told.add("off " + option);
        }

        @Override
        public void binaryIn(boolean on) {
            told.add("binary in " + on);
        }
    }

    private static String verb(int v) {
        return switch (v) {
            case Telnet.WILL -> "WILL";
            case Telnet.WONT -> "WONT";
            case Telnet.DO -> "DO";
            case Telnet.DONT -> "DONT";
            default -> "verb " + v;
        };
    }

    @Test
    void anUnwantedOptionIsRefusedAndAWantedOneAcceptedOnce() {
        Recorder r = new Recorder();
        TelnetOptions o = new TelnetOptions(r);
        o.received(Telnet.DO, 1); // ECHO: an echo would be read as a reply
        o.received(Telnet.WILL, 1);
        o.received(Telnet.DO, Telnet.BINARY);
        o.received(Telnet.DO, Telnet.BINARY); // no change: no answer
        assertEquals(List.of("WONT 1", "DONT 1", "WILL 0"), r.sent);
        assertEquals(List.of("on 0"), r.told);
        assertTrue(o.binaryOut());
    }

    @Test
    void anAskedOptionIsNotAskedAgainWhenAcceptedAndIsToldWhenRefused() {
        Recorder r = new Recorder();
        TelnetOptions o = new TelnetOptions(r);
        o.ask(Telnet.WILL, Telnet.COM_PORT);
        o.ask(Telnet.WILL, Telnet.BINARY);
        o.received(Telnet.DO, Telnet.COM_PORT);
        o.received(Telnet.DONT, Telnet.BINARY); // refused: nothing to answer, the owner is told
        assertEquals(List.of("WILL 44", "WILL 0"), r.sent);
        assertEquals(List.of("on 44", "off 0"), r.told);
        assertFalse(o.binaryOut());
        o.received(Telnet.DONT, Telnet.COM_PORT); // withdrawn after it was on: acknowledged once
        o.received(Telnet.DONT, Telnet.COM_PORT);
        assertEquals(List.of("WILL 44", "WILL 0", "WONT 44"), r.sent);
        assertEquals(List.of("on 44", "off 0", "off 44"), r.told);
    }

    @Test
    void theServerSideOfBinarySwitchesTheDecoderBothWays() {
        Recorder r = new Recorder();
        TelnetOptions o = new TelnetOptions(r);
        o.ask(Telnet.DO, Telnet.BINARY);
        o.received(Telnet.WILL, Telnet.BINARY);
        o.received(Telnet.WONT, Telnet.BINARY);
        o.received(Telnet.WONT, Telnet.BINARY);
        assertEquals(List.of("DO 0", "DONT 0"), r.sent);
        assertEquals(List.of("binary in true", "binary in false"), r.told);
        o.reset();
        o.received(Telnet.WILL, Telnet.BINARY); // a new link: not asked, so accepted with an answer
        assertEquals(List.of("DO 0", "DONT 0", "DO 0"), r.sent);
    }

    @Test
    void twoSidesThatEachAnswerEverythingSettleInAFewCommands() {
        Recorder ra = new Recorder();
        Recorder rb = new Recorder();
        TelnetOptions a = new TelnetOptions(ra);
        TelnetOptions b = new TelnetOptions(rb);
        for (int option : new int[] {Telnet.BINARY, Telnet.SGA, Telnet.COM_PORT, 1, 5, 200}) {
            a.ask(Telnet.WILL, option);
            a.ask(Telnet.DO, option);
            b.ask(Telnet.WILL, option);
            b.ask(Telnet.DO, option);
        }
        int exchanged = 0;
        while (!ra.out.isEmpty() || !rb.out.isEmpty()) {
            assertTrue(++exchanged < 200, "negotiation loops: " + ra.sent + " / " + rb.sent);
            if (!ra.out.isEmpty()) {
                byte[] c = ra.out.poll();
                b.received(c[1] & 0xFF, c[2] & 0xFF);
            }
            if (!rb.out.isEmpty()) {
                byte[] c = rb.out.poll();
                a.received(c[1] & 0xFF, c[2] & 0xFF);
            }
        }
        assertTrue(a.binaryOut() && b.binaryOut());
        assertTrue(ra.told.contains("on 44") && rb.told.contains("on 44"));
        assertFalse(ra.told.contains("on 1") || ra.told.contains("on 5") || ra.told.contains("on 200"));
    }
}
