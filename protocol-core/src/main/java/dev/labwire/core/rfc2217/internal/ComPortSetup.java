package dev.labwire.core.rfc2217.internal;

import dev.labwire.core.endpoint.FlowControl;
import dev.labwire.core.endpoint.SerialSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * The RFC 2217 commands that set a port up on a new link, and which of them the server has answered.
 *
 * <pre>
 *   SET-BAUDRATE      IAC SB 44 1  b3 b2 b1 b0 IAC SE   (4 bytes, network order; 9600 = 00 00 25 80)
 *   SET-DATASIZE      IAC SB 44 2  5..8 IAC SE
 *   SET-PARITY        IAC SB 44 3  1 NONE, 2 ODD, 3 EVEN, 4 MARK, 5 SPACE IAC SE
 *   SET-STOPSIZE      IAC SB 44 4  1 (1 bit), 2 (2 bits), 3 (1.5 bits) IAC SE
 *   SET-CONTROL       IAC SB 44 5  1 no flow, 2 XON/XOFF, 3 hardware IAC SE
 *   SET-CONTROL       IAC SB 44 5  8 DTR ON IAC SE;  IAC SB 44 5 11 RTS ON IAC SE   (when raiseDtrRts)
 *   SET-LINESTATE-MASK IAC SB 44 10 0x1E IAC SE       (break, framing, parity, overrun)
 *   PURGE-DATA        IAC SB 44 12 3 IAC SE           (both buffers, when purge)
 *   answers:          IAC SB 44 (code + 100) value IAC SE
 * </pre>
 * A value byte 255 is doubled inside the subnegotiation (RFC 855). The first five are required: an answer with another
 * value fails the link; the rest are taken as applied when unanswered (ser2net on a pty never answers DTR/RTS), and
 * SET-LINESTATE-MASK's answer is not waited for at all (pyserial's server never sends it).
 */
public final class ComPortSetup {
    /** Line state bits asked for: break (4), framing (3), parity (2), overrun (1). */
    public static final int LINESTATE_MASK = 0x1E;

    private final List<byte[]> commands = new ArrayList<>();
    private final List<Awaited> awaited = new ArrayList<>();

    private record Awaited(int code, byte[] value, boolean required, String what) {
    }

    public ComPortSetup(SerialSettings s, boolean raiseDtrRts, boolean purge) {
        int baud = s.baudRate();
        add(Telnet.SET_BAUDRATE, true, "SET-BAUDRATE " + baud,
                (byte) (baud >>> 24), (byte) (baud >>> 16), (byte) (baud >>> 8), (byte) baud);
        add(Telnet.SET_DATASIZE, true, "SET-DATASIZE " + s.dataBits().bits(), (byte) s.dataBits().bits());
        add(Telnet.SET_PARITY, true, "SET-PARITY " + s.parity(), (byte) parity(s));
        add(Telnet.SET_STOPSIZE, true, "SET-STOPSIZE " + s.stopBits(), (byte) stop(s));
        add(Telnet.SET_CONTROL, true, "SET-CONTROL flow " + s.flowControl(), (byte) flow(s.flowControl()));
        if (raiseDtrRts) {
            add(Telnet.SET_CONTROL, false, "SET-CONTROL DTR ON", (byte) Telnet.DTR_ON);
            if (s.flowControl() != FlowControl.RTS_CTS) {
                add(Telnet.SET_CONTROL, false, "SET-CONTROL RTS ON", (byte) Telnet.RTS_ON);
            }
        }
        // sent, but its answer is not waited for: it only shapes later notifications, and pyserial's PortManager
        // (3.5) never answers it
        commands.add(TelnetEncoder.comPort(Telnet.SET_LINESTATE_MASK, (byte) LINESTATE_MASK));
        if (purge) {
            add(Telnet.PURGE_DATA, false, "PURGE-DATA", (byte) Telnet.PURGE_BOTH);
        }
    }

    private void add(int code, boolean required, String what, byte... value) {
        commands.add(TelnetEncoder.comPort(code, value));
        awaited.add(new Awaited(code, value, required, what));
    }

    /** The commands, each {@code IAC SB 44 ... IAC SE}, in the order to send them. */
    public List<byte[]> commands() {
        return commands;
    }

    /**
     * The server answered {@code code} (the client code, 1..12) with {@code value}.
     *
     * @return null when fine (or an answer to nothing awaited), else what was wrong with it
     */
    public String answered(int code, byte[] value) {
        for (int i = 0; i < awaited.size(); i++) {
            Awaited a = awaited.get(i);
            if (a.code != code || !sameGroup(a, value)) {
                continue;
            }
            awaited.remove(i);
            if (a.required && !java.util.Arrays.equals(a.value, value)) {
                return "asked for " + a.what + " and the server answered " + describe(code, value)
                        + " (the value in use on its port)";
            }
            return null;
        }
        return null;
    }

    /** SET-CONTROL answers say which of its commands they answer: flow (0..3), DTR (7..9), RTS (10..12). */
    private static boolean sameGroup(Awaited a, byte[] value) {
        if (a.code != Telnet.SET_CONTROL) {
            return true;
        }
        if (value.length != 1) {
            return false;
        }
        return group(a.value[0] & 0xFF) == group(value[0] & 0xFF);
    }

    private static int group(int control) {
        if (control <= 3) {
            return 0;
        }
        if (control >= 7 && control <= 9) {
            return 2;
        }
        if (control >= 10 && control <= 12) {
            return 3;
        }
        return control <= 6 ? 1 : 4;   // break 4..6; inbound flow and the rest
    }

    /** Every command answered. */
    public boolean allAnswered() {
        return awaited.isEmpty();
    }

    /** The first required command not answered yet, or null. */
    public String unansweredRequired() {
        for (Awaited a : awaited) {
            if (a.required) {
                return a.what;
            }
        }
        return null;
    }

    private static String describe(int code, byte[] value) {
        if (code == Telnet.SET_BAUDRATE && value.length == 4) {
            long baud = ((value[0] & 0xFFL) << 24) | ((value[1] & 0xFF) << 16) | ((value[2] & 0xFF) << 8) | (value[3] & 0xFF);
            return Telnet.subcommand(code) + " " + baud;
        }
        StringBuilder b = new StringBuilder(Telnet.subcommand(code));
        for (byte v : value) {
            b.append(' ').append(v & 0xFF);
        }
        return b.toString();
    }

    static int parity(SerialSettings s) {
        return switch (s.parity()) {
            case NONE -> Telnet.PARITY_NONE;
            case ODD -> Telnet.PARITY_ODD;
            case EVEN -> Telnet.PARITY_EVEN;
            case MARK -> Telnet.PARITY_MARK;
            case SPACE -> Telnet.PARITY_SPACE;
        };
    }

    static int stop(SerialSettings s) {
        return switch (s.stopBits()) {
            case ONE -> Telnet.STOP_1;
            case TWO -> Telnet.STOP_2;
            case ONE_POINT_FIVE -> Telnet.STOP_1_5;
        };
    }

    static int flow(FlowControl f) {
        return switch (f) {
            case NONE -> Telnet.FLOW_NONE;
            case XON_XOFF -> Telnet.FLOW_XONXOFF;
            case RTS_CTS -> Telnet.FLOW_HARDWARE;
        };
    }
}
