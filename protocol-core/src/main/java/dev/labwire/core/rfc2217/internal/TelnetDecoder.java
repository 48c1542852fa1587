package dev.labwire.core.rfc2217.internal;

import java.nio.ByteBuffer;

/**
 * Splits the bytes a Telnet peer sends into data and commands (RFC 854, 855), fed in any chunks.
 *
 * <pre>
 *   wire:   'A' FF FF 'B' | FF FB 00 | FF FA 2C 6B 30 FF F0 | 'C'
 *   data:   'A' FF 'B'                                         'C'
 *   sink:              option(WILL, BINARY)  subnegotiation(44, [6B 30])
 * </pre>
 *
 * <p>{@link #decode} copies data bytes into {@code out} and returns after each command it hands to the sink, so the
 * caller knows which data came before and which after it. Inside a subnegotiation, {@code IAC IAC} is a data 255;
 * the payload is bounded ({@code maxSubnegotiation}): a longer one is reported as malformed and skipped to its
 * {@code IAC SE}. {@code IAC} followed by anything but {@code IAC} or {@code SE} inside a subnegotiation ends it as
 * malformed and is then read as a command. Other two-byte commands (NOP, GA, ...) are dropped.
 *
 * <p>Not in BINARY mode (RFC 856 not agreed for this direction), RFC 854's NVT rule applies: a bare CR is sent as
 * {@code CR NUL}, so the NUL after a CR is dropped ({@code CR LF} stays as it is). In BINARY mode every byte but
 * {@code IAC} is data.
 */
public final class TelnetDecoder {

    /** What the decoder found besides data. */
    public interface Sink {
        /** {@code IAC verb option}, verb one of WILL, WONT, DO, DONT. */
        void option(int verb, int option);

        /** {@code IAC SB option payload IAC SE}: the payload, unescaped, in {@code buf[0..len)}. */
        void subnegotiation(int option, byte[] buf, int len);

        /** Something that breaks RFC 854/855; decoding goes on after it. */
        void malformed(String what);
    }

    private enum St { DATA, CR, IAC, VERB, SB_OPTION, SB_DATA, SB_IAC, SB_SKIP, SB_SKIP_IAC }

    private final byte[] sb;
    private St st = St.DATA;
    private int verb;
    private int sbOption;
    private int sbLen;
    private boolean binary;

    /** @param maxSubnegotiation the longest subnegotiation payload kept, 1 or more */
    public TelnetDecoder(int maxSubnegotiation) {
        if (maxSubnegotiation < 1) {
            throw new IllegalArgumentException("maxSubnegotiation " + maxSubnegotiation + " is not positive");
        }
        this.sb = new byte[maxSubnegotiation];
    }

    /** Whether the peer sends in BINARY mode (RFC 856); off until agreed. */
    public void binary(boolean on) {
        binary = on;
        if (on && st == St.CR) {
            st = St.DATA;
        }
    }

    /** Back to the start of a stream (a new connection). */
    public void reset() {
        st = St.DATA;
        sbLen = 0;
        binary = false;
    }

    /**
     * Decodes from {@code in} while it has bytes and {@code out} has room for one, stopping right after a command
     * handed to {@code sink}.
     *
     * @return true when it stopped after a command
     */
    public boolean decode(ByteBuffer in, ByteBuffer out, Sink sink) {
        while (in.hasRemaining() && out.hasRemaining()) {
            int b = in.get() & 0xFF;
            switch (st) {
                case CR:
                    st = St.DATA;
                    if (b == 0) {
                        break;
                    }
                    // fall through: any other byte after CR is read as usual
                case DATA:
                    if (b == Telnet.IAC) {
                        st = St.IAC;
                    } else {
                        out.put((byte) b);
                        if (b == '\r' && !binary) {
                            st = St.CR;
                        }
                    }
                    break;
                case IAC:
                    command(b, out);
                    break;
                case VERB:
                    st = St.DATA;
                    sink.option(verb, b);
                    return true;
                case SB_OPTION:
                    sbOption = b;
                    sbLen = 0;
                    st = St.SB_DATA;
                    break;
                case SB_DATA:
                    if (b == Telnet.IAC) {
                        st = St.SB_IAC;
                    } else if (!keep(b, sink)) {
                        return true;
                    }
                    break;
                case SB_IAC:
                    if (b == Telnet.IAC) {
                        st = St.SB_DATA;
                        if (!keep(b, sink)) {
                            return true;
                        }
                    } else if (b == Telnet.SE) {
                        st = St.DATA;
                        sink.subnegotiation(sbOption, sb, sbLen);
                        return true;
                    } else {
                        sink.malformed("IAC " + Telnet.command(b) + " inside the subnegotiation of option " + sbOption
                                + " (expected IAC SE or IAC IAC); the subnegotiation is dropped");
                        command(b, out);
                        return true;
                    }
                    break;
                case SB_SKIP:
                    if (b == Telnet.IAC) {
                        st = St.SB_SKIP_IAC;
                    }
                    break;
                case SB_SKIP_IAC:
                    st = b == Telnet.SE ? St.DATA : St.SB_SKIP;
                    break;
                default:
                    throw new IllegalStateException("state " + st);
            }
        }
        return false;
    }

    /** After IAC outside a subnegotiation. */
    private void command(int b, ByteBuffer out) {
        switch (b) {
            case Telnet.IAC -> {
                out.put((byte) 0xFF);
                st = St.DATA;
            }
            case Telnet.WILL, Telnet.WONT, Telnet.DO, Telnet.DONT -> {
                verb = b;
                st = St.VERB;
            }
            case Telnet.SB -> st = St.SB_OPTION;
            default -> st = St.DATA; // NOP, GA, DM, BRK, ..., a stray SE: no data, nothing to answer
        }
    }

    /** Keeps a payload byte; false when the payload was too long (reported, and skipped from now on). */
    private boolean keep(int b, Sink sink) {
        if (sbLen == sb.length) {
            sink.malformed("subnegotiation of option " + sbOption + " is longer than " + sb.length
                    + " bytes; skipped to its IAC SE");
            st = St.SB_SKIP;
            return false;
        }
        sb[sbLen++] = (byte) b;
        return true;
    }
}
