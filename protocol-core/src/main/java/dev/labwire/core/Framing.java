package dev.labwire.core;

import dev.labwire.core.frame.CobsFramer;
import dev.labwire.core.frame.Framer;
import dev.labwire.core.frame.LengthFieldFramer;
import dev.labwire.core.frame.LineFramer;
import dev.labwire.core.frame.SlipFramer;
import java.nio.charset.StandardCharsets;

/**
 * How a connection cuts replies and pushed frames out of the byte stream: a factory of fresh
 * {@link Framer}s, since framers hold state and a config is immutable and shareable. Requests that
 * expect a block or raw bytes use their own framer for that reply whatever the framing is.
 *
 * <pre>{@code
 * Framing.lines()               // "\n", "\r\n" or "\r" (the default; SCPI)
 * Framing.lines("\r")           // exactly "\r"
 * Framing.of(max -> LengthFieldFramer.builder().lengthFieldWidth(2).maxFrameLength(max).build())
 * }</pre>
 */
@FunctionalInterface
public interface Framing {

    /** A new framer delivering frames of at most {@code maxFrameLength} bytes. */
    Framer newFramer(int maxFrameLength);

    /** Lines ended by {@code \n}, {@code \r\n} or {@code \r}, terminator removed. */
    static Framing lines() {
        return LineFramer::anyEol;
    }

    /** Lines ended by exactly {@code terminator} (ISO-8859-1, e.g. {@code "\r\n"}), terminator removed. */
    static Framing lines(String terminator) {
        byte[] t = terminator.getBytes(StandardCharsets.ISO_8859_1);
        if (t.length == 0) {
            throw new IllegalArgumentException("line terminator must not be empty");
        }
        return max -> LineFramer.of(t, max);
    }

    /** Lines as {@link #lines()}, refusing any byte above 0x7F with a framing error. */
    static Framing asciiLines() {
        return max -> LineFramer.anyEol(max).asciiOnly();
    }

    /** COBS packets delimited by 0x00. */
    static Framing cobs() {
        return CobsFramer::new;
    }

    /** SLIP packets (RFC 1055). */
    static Framing slip() {
        return SlipFramer::new;
    }

    /** A framing from any framer factory; {@code LengthFieldFramer} is the usual case. */
    static Framing of(Framing factory) {
        return factory;
    }

    /** Length-prefixed frames: a big-endian field of {@code width} bytes (1, 2 or 4) at offset 0 giving the payload length, stripped. */
    static Framing lengthPrefixed(int width) {
        return max -> LengthFieldFramer.builder().lengthFieldWidth(width).bytesToStrip(width).maxFrameLength(max).build();
    }
}
