package dev.labwire.core.hislip;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Test helpers: hex fixtures and a decoder run that records everything it gives. */
final class HislipBytes {
    private HislipBytes() {
    }

    /** Bytes of a hex string with spaces: {@code hex("48 53 07")}. */
    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    /** Messages as their toString, failures as "FAILURE fatal|error <answer type> <answer ctrl>". */
    static List<String> run(HislipDecoder d, List<byte[]> chunks, boolean eof) {
        List<String> out = new ArrayList<>();
        for (byte[] c : chunks) {
            d.receive(ByteBuffer.wrap(c));
            drain(d, out);
        }
        if (eof) {
            d.receiveEof();
            drain(d, out);
        }
        return out;
    }

    static List<String> run(List<byte[]> chunks) {
        return run(new HislipDecoder("test"), chunks, false);
    }

    static void drain(HislipDecoder d, List<String> out) {
        for (int guard = 0; guard < 10_000; guard++) {
            Decoded r = d.next();
            if (r == Decoded.NeedData.INSTANCE) {
                return;
            }
            if (r instanceof Decoded.Message m) {
                out.add(m.message().toString());
            } else if (r instanceof Decoded.Failure f) {
                out.add("FAILURE " + (f.fatal() ? "fatal " : "error ") + f.answer().type().specName() + " "
                        + f.answer().controlCode());
                if (f.fatal()) {
                    return;
                }
            }
        }
        throw new AssertionError("decoder never said NeedData");
    }
}
