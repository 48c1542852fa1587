package dev.labwire.core.bus;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.Printable;

/**
 * What a {@link Bus} adds to the message of a request that ended without its reply, so that it says what came: the
 * frames discarded as not its reply while it waited ({@link Addressing#whyForeign}), and a refused reply that was the
 * request's own echo on a link not told that it echoes.
 *
 * <p>Separate from the bus because it only words messages: nothing here changes how a request ends.
 */
final class FailureNotes {
    private FailureNotes() {
    }

    /** {@code frame} came while {@code item} waited on the wire and was discarded as foreign: remember why. */
    static void foreign(BusRequest item, Addressing addressing, byte[] command, Frame frame) {
        item.foreignFrames++;
        byte[] f = frame.toByteArray();
        item.lastForeign = addressing.whyForeign(item.address, command, frame) + ": " + Printable.quoted(f, 0, f.length, 48);
    }

    /** The timeout detail of {@code item}: the connection's {@code detail}, and the frames that could not be its reply. */
    static String timeoutDetail(BusRequest item, String detail) {
        if (item.foreignFrames == 0) {
            return detail;
        }
        return (detail == null ? "no reply came" : detail) + "; "
                + (item.foreignFrames == 1 ? "1 frame came that could not be its reply and was discarded"
                        : item.foreignFrames + " frames came that could not be its reply and were discarded, the last")
                + ": " + item.lastForeign;
    }

    /**
     * {@code x}, or, when the refused {@code frame} is the start of the command as written on a link not told that it
     * echoes, {@code x} saying so: a 2-wire RS485 adapter without echo suppression hands the master its own request
     * first (a Modbus RTU read then fails its CRC on every call, and nothing else hints at the echo).
     */
    static RemoteProtocolException echoed(ConnectionConfig cc, BusRequest item, Frame frame, RemoteProtocolException x) {
        if (cc.echo() != ConnectionConfig.Echo.NONE || frame.length() < 2) {
            return x;
        }
        byte[] sent = item.wire.payload();
        byte[] t = cc.writeTerminator();
        byte[] f = frame.toByteArray();
        for (int i = 0; i < f.length; i++) {
            int s = i < sent.length ? sent[i] : i - sent.length < t.length ? t[i - sent.length] : -1000;
            if (f[i] != s) {
                return x;
            }
        }
        return new RemoteProtocolException(x.getMessage() + "; those bytes are the start of the request as it was written: the"
                + " link seems to echo what is written (a 2-wire RS485 adapter without echo suppression?); then set"
                + " ConnectionConfig.echo(Echo.CHECK_AND_DROP)", x);
    }
}
