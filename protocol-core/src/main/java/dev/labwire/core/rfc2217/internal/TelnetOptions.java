package dev.labwire.core.rfc2217.internal;

import java.util.Arrays;

/**
 * The Telnet options' states of one link, RFC 854/1143 style: each side's state and whether we asked for it, and an
 * answer only to a request that changes a state, so negotiation cannot loop. We want BINARY and SUPPRESS-GO-AHEAD
 * both ways and COM-PORT-OPTION on our side (RFC 2217); every other option is refused. Not thread-safe.
 */
public final class TelnetOptions {

    /** What the owner does when negotiation sends or changes something. */
    public interface Peer {
        /** Queues {@code command} (IAC verb option) to the server. */
        void send(byte[] command);

        /** Our side of {@code option} went on. */
        void enabledUs(int option);

        /** Our side of {@code option} went off, or the server refused it. */
        void disabledUs(int option);

        /** The server's data to us is BINARY (true) or NVT (false) from now on. */
        void binaryIn(boolean on);
    }

    private final Peer peer;
    private final boolean[] us = new boolean[256];
    private final boolean[] usAsked = new boolean[256];
    private final boolean[] him = new boolean[256];
    private final boolean[] himAsked = new boolean[256];

    /** Options whose state changes go to {@code peer}. */
    public TelnetOptions(Peer peer) {
        this.peer = peer;
    }

    /** A new link: every option off, nothing asked. */
    public void reset() {
        Arrays.fill(us, false);
        Arrays.fill(usAsked, false);
        Arrays.fill(him, false);
        Arrays.fill(himAsked, false);
    }

    /** Asks for {@code option}: {@link Telnet#WILL} (we enable it) or {@link Telnet#DO} (the peer enables it). */
    public void ask(int verb, int option) {
        (verb == Telnet.WILL ? usAsked : himAsked)[option] = true;
        send(verb, option);
    }

    /** The peer sent {@code IAC verb option}: answers only when it changes a state, tells the owner what changed. */
    public void received(int verb, int option) {
        switch (verb) {
            case Telnet.DO -> {
                if (wantUs(option)) {
                    if (!us[option]) {
                        if (!usAsked[option]) {
                            send(Telnet.WILL, option);
                        }
                        us[option] = true;
                        peer.enabledUs(option);
                    }
                    usAsked[option] = false;
                } else {
                    send(Telnet.WONT, option);
                }
            }
            case Telnet.DONT -> {
                boolean asked = usAsked[option];
                usAsked[option] = false;
                if (us[option]) {
                    us[option] = false;
                    send(Telnet.WONT, option);
                    peer.disabledUs(option);
                } else if (asked) {
                    peer.disabledUs(option);   // refused
                }
            }
            case Telnet.WILL -> {
                if (wantHim(option)) {
                    if (!him[option]) {
                        if (!himAsked[option]) {
                            send(Telnet.DO, option);
                        }
                        him[option] = true;
                        if (option == Telnet.BINARY) {
                            peer.binaryIn(true);
                        }
                    }
                    himAsked[option] = false;
                } else {
                    send(Telnet.DONT, option);
                }
            }
            case Telnet.WONT -> {
                himAsked[option] = false;
                if (him[option]) {
                    him[option] = false;
                    send(Telnet.DONT, option);
                    if (option == Telnet.BINARY) {
                        peer.binaryIn(false);
                    }
                }
            }
            default -> throw new IllegalStateException("verb " + verb);
        }
    }

    /** Whether we send in BINARY (else RFC 854's NVT rule: a bare CR goes as CR NUL). */
    public boolean binaryOut() {
        return us[Telnet.BINARY];
    }

    private boolean wantUs(int option) {
        return option == Telnet.BINARY || option == Telnet.SGA || option == Telnet.COM_PORT;
    }

    private boolean wantHim(int option) {
        return option == Telnet.BINARY || option == Telnet.SGA;
    }

    private void send(int verb, int option) {
        peer.send(new byte[] {(byte) Telnet.IAC, (byte) verb, (byte) option});
    }
}
