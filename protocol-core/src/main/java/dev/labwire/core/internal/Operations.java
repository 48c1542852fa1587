package dev.labwire.core.internal;

import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.Operation;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import java.util.List;

/** {@link Operation}s on raw SCPI links, and reading a status byte out of a reply, for every session machine. Not API. */
public final class Operations {
    private Operations() {}

    /**
     * {@code request} as a raw SCPI link sends it: unchanged, unless it is an {@link Operation}, which becomes the raw
     * SCPI request that does it (keeping the request's timeout and resend policy).
     *
     * @throws UnsupportedOperationException when a raw link has no such function, naming the transports that do
     */
    public static Request onRawLink(Request request) {
        if (!(request.expect() instanceof Expect.Operate o)) {
            return request;
        }
        Request raw = switch (o.operation()) {
            case READ_STATUS_BYTE -> Request.query("*STB?");
            case TRIGGER -> Request.of("*TRG", Expect.nothing());
            default -> throw unsupported(o.operation(), "a raw SCPI link (tcp://, serial:)");
        };
        raw = raw.withResend(request.resend());
        return request.timeout() == null ? raw : raw.withTimeout(request.timeout());
    }

    /** The refusal of {@code op} on {@code transport}. */
    public static UnsupportedOperationException unsupported(Operation op, String transport) {
        return new UnsupportedOperationException(op.shown() + " (" + op + ") is not available on " + transport
                + ": it is a function of VXI-11 and HiSLIP (vxi11://host, hislip://host, TCPIP::host::INSTR)"
                + (op == Operation.CLEAR ? "; to clear the status registers instead, send *CLS" : ""));
    }

    /**
     * The status byte a {@link Operation#READ_STATUS_BYTE} reply carries: its one frame, decimal ASCII, optionally
     * signed {@code +} and surrounded by blanks (as {@code *STB?} answers).
     *
     * @throws RemoteProtocolException when the reply is not one integer 0..255, naming what came
     */
    public static int statusByte(Event.Reply reply) {
        List<dev.labwire.core.frame.Frame> frames = reply.frames();
        String text = frames.size() == 1 ? frames.get(0).asString().strip() : null;
        if (text != null && text.startsWith("+")) {
            text = text.substring(1);
        }
        if (text != null && !text.isEmpty() && text.length() <= 3 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int v = Integer.parseInt(text);
            if (v <= 255) {
                return v;
            }
        }
        throw new RemoteProtocolException("the status byte reply is not an integer 0..255: "
                + (frames.size() == 1 ? "\"" + Outcomes.shown(frames.get(0).toByteArray()) + "\"" : frames.size() + " frames"));
    }
}
