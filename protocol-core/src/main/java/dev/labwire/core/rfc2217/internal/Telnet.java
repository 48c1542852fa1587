package dev.labwire.core.rfc2217.internal;

/**
 * Telnet and RFC 2217 numbers. Telnet commands: RFC 854 (IAC 255, DONT 254, DO 253, WONT 252, WILL 251, SB 250,
 * GA 249, NOP 241, SE 240); options: BINARY 0 (RFC 856), ECHO 1 (RFC 857), SUPPRESS-GO-AHEAD 3 (RFC 858),
 * COM-PORT-OPTION 44 (RFC 2217). RFC 2217 subcommands: client to server 0..12; the server answers with the same
 * code plus 100.
 */
public final class Telnet {
    public static final int IAC = 255;
    public static final int DONT = 254;
    public static final int DO = 253;
    public static final int WONT = 252;
    public static final int WILL = 251;
    public static final int SB = 250;
    public static final int GA = 249;
    public static final int NOP = 241;
    public static final int SE = 240;

    public static final int BINARY = 0;
    public static final int ECHO = 1;
    public static final int SGA = 3;
    public static final int COM_PORT = 44;

    // RFC 2217 section 2..4, client to access server
    public static final int SIGNATURE = 0;
    public static final int SET_BAUDRATE = 1;
    public static final int SET_DATASIZE = 2;
    public static final int SET_PARITY = 3;
    public static final int SET_STOPSIZE = 4;
    public static final int SET_CONTROL = 5;
    public static final int NOTIFY_LINESTATE = 6;
    public static final int NOTIFY_MODEMSTATE = 7;
    public static final int FLOWCONTROL_SUSPEND = 8;
    public static final int FLOWCONTROL_RESUME = 9;
    public static final int SET_LINESTATE_MASK = 10;
    public static final int SET_MODEMSTATE_MASK = 11;
    public static final int PURGE_DATA = 12;
    /** Added to a subcommand code in the access server's messages. */
    public static final int SERVER = 100;

    // SET-PARITY values
    public static final int PARITY_NONE = 1;
    public static final int PARITY_ODD = 2;
    public static final int PARITY_EVEN = 3;
    public static final int PARITY_MARK = 4;
    public static final int PARITY_SPACE = 5;
    // SET-STOPSIZE values
    public static final int STOP_1 = 1;
    public static final int STOP_2 = 2;
    public static final int STOP_1_5 = 3;
    // SET-CONTROL values
    public static final int FLOW_NONE = 1;
    public static final int FLOW_XONXOFF = 2;
    public static final int FLOW_HARDWARE = 3;
    public static final int BREAK_ON = 5;
    public static final int BREAK_OFF = 6;
    public static final int DTR_ON = 8;
    public static final int DTR_OFF = 9;
    public static final int RTS_ON = 11;
    public static final int RTS_OFF = 12;
    // PURGE-DATA values
    public static final int PURGE_RECEIVE = 1;
    public static final int PURGE_TRANSMIT = 2;
    public static final int PURGE_BOTH = 3;

    private Telnet() {}

    /** The name of a command byte, for messages. */
    public static String command(int b) {
        return switch (b) {
            case IAC -> "IAC";
            case DONT -> "DONT";
            case DO -> "DO";
            case WONT -> "WONT";
            case WILL -> "WILL";
            case SB -> "SB";
            case SE -> "SE";
            default -> Integer.toString(b);
        };
    }

    /** The name of an RFC 2217 subcommand (client code, or server code minus 100), for messages. */
    public static String subcommand(int code) {
        return switch (code % SERVER) {
            case SIGNATURE -> "SIGNATURE";
            case SET_BAUDRATE -> "SET-BAUDRATE";
            case SET_DATASIZE -> "SET-DATASIZE";
            case SET_PARITY -> "SET-PARITY";
            case SET_STOPSIZE -> "SET-STOPSIZE";
            case SET_CONTROL -> "SET-CONTROL";
            case NOTIFY_LINESTATE -> "NOTIFY-LINESTATE";
            case NOTIFY_MODEMSTATE -> "NOTIFY-MODEMSTATE";
            case FLOWCONTROL_SUSPEND -> "FLOWCONTROL-SUSPEND";
            case FLOWCONTROL_RESUME -> "FLOWCONTROL-RESUME";
            case SET_LINESTATE_MASK -> "SET-LINESTATE-MASK";
            case SET_MODEMSTATE_MASK -> "SET-MODEMSTATE-MASK";
            case PURGE_DATA -> "PURGE-DATA";
            default -> "subcommand " + code;
        };
    }
}
