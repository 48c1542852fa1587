package dev.labwire.core.internal;

import dev.labwire.core.LinkMachine;
import dev.labwire.core.Request;
import dev.labwire.core.frame.Printable;
import java.nio.ByteBuffer;

/**
 * The lines of the wire trace, the same for both clients: every chunk of bytes a driver writes or reads, one line
 * each. The core does no logging; a driver owns the SLF4J logger named {@link #loggerName(String)} and, per chunk,
 * asks it {@code isTraceEnabled()} and only then calls {@link #sent} or {@link #received} for the line. The lines:
 * <pre>
 *   &gt;&gt; +0.412 ms #1 6 bytes "*IDN?\n"
 *   &lt;&lt; +0.977 ms #1 "*IDN?" 28 bytes "ACME,PSU-3000,SN1234,1.0.2\r\n"
 *   &gt;&gt; +2.130 ms #2..#4 18 bytes "MEAS?\nMEAS?\nMEAS?\n"     several pipelined requests in one write
 *   &lt;&lt; +3.002 ms #5 "CURV?" 1400 bytes "#41388\x00\x7F\x80"... (1400 bytes)   (200 bytes shown, fewer here)
 *   &lt;&lt; +9.500 ms unsolicited 6 bytes "SRQ 1\n"
 * </pre>
 * {@code >>} is a chunk handed to the link to write, {@code <<} a chunk read from it, as the link cut it (a reply
 * may take several reads). The time is monotonic milliseconds since this link came up (each new link starts at 0),
 * with microseconds; the logging framework adds the wall clock. The request is named by the id its
 * {@code send} returned ({@code #first..#last} when one write holds several requests) and, for reads, the
 * command whose echo or reply was awaited then, or {@code unsolicited} when none was. Bytes are shown by
 * {@link Printable}, at most {@value #SHOWN} of them a line. Not thread-safe: a driver calls it where it calls its
 * machine (under its lock, or on its event loop).
 */
public final class WireTrace {
    /** The parent of every wire logger: set it to TRACE to see the bytes of every client. */
    public static final String LOGGER_PREFIX = "dev.labwire.wire";
    /** The most bytes of one chunk a line shows. */
    public static final int SHOWN = Printable.DEFAULT_MAX;
    /** The most bytes of the awaited command a read line shows. */
    static final int COMMAND_SHOWN = 40;

    private long upNanos;

    /**
     * The wire logger's name for the client of {@code endpoint} (its string form): {@value #LOGGER_PREFIX}, a dot,
     * then the endpoint without its {@code ?settings}, each run of chars other than ASCII letters and digits made one
     * {@code _}, with none at either end. So {@code tcp://192.168.1.20:5025} logs to
     * {@code dev.labwire.wire.tcp_192_168_1_20_5025}, {@code serial:/dev/ttyUSB0?baud=9600} to
     * {@code dev.labwire.wire.serial_dev_ttyUSB0} and {@code serial:usb:0403:6001:A50285BI} to
     * {@code dev.labwire.wire.serial_usb_0403_6001_A50285BI}: one level below the prefix, whatever the endpoint holds.
     */
    public static String loggerName(String endpoint) {
        int q = endpoint.indexOf('?');
        String s = q < 0 ? endpoint : endpoint.substring(0, q);
        StringBuilder sb = new StringBuilder(LOGGER_PREFIX.length() + 1 + s.length()).append(LOGGER_PREFIX).append('.');
        int mark = sb.length();
        boolean gap = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                if (gap && sb.length() > mark) {
                    sb.append('_');
                }
                gap = false;
                sb.append(c);
            } else {
                gap = true;
            }
        }
        return sb.toString();
    }

    /** A new link came up at {@code nowNanos}: the trace's times count from here. */
    public void linkUp(long nowNanos) {
        upNanos = nowNanos;
    }

    /**
     * The {@code >>} line of {@code chunk} (position to limit, which stay), just handed out by {@code machine}'s
     * latest {@code pollTransmit}.
     */
    public String sent(LinkMachine machine, ByteBuffer chunk, long nowNanos) {
        StringBuilder sb = head(">> ", nowNanos);
        long first = machine.transmittedFirstId();
        long last = machine.transmittedLastId();
        if (first >= 0) {
            sb.append('#').append(first);
            if (last != first && last >= 0) {
                sb.append("..#").append(last);
            }
            sb.append(' ');
        }
        return bytes(sb, chunk);
    }

    /** The {@code <<} line of {@code data} (position to limit, which stay), read now; call before {@code machine.receive}. */
    public String received(LinkMachine machine, ByteBuffer data, long nowNanos) {
        StringBuilder sb = head("<< ", nowNanos);
        long id = machine.awaitedId();
        Request r = machine.awaitedRequest();
        if (id >= 0) {
            sb.append('#').append(id).append(' ');
        }
        if (r != null) {
            byte[] p = r.payload();
            sb.append(Printable.quoted(p, 0, p.length, COMMAND_SHOWN)).append(' ');
        } else if (id < 0) {
            sb.append("unsolicited ");
        }
        return bytes(sb, data);
    }

    private StringBuilder head(String direction, long nowNanos) {
        long micros = Math.max(0, (nowNanos - upNanos) / 1000);
        StringBuilder sb = new StringBuilder(96).append(direction).append('+').append(micros / 1000).append('.');
        long frac = micros % 1000;
        if (frac < 100) {
            sb.append(frac < 10 ? "00" : "0");
        }
        return sb.append(frac).append(" ms ");
    }

    private static String bytes(StringBuilder sb, ByteBuffer b) {
        sb.append(b.remaining()).append(" bytes ");
        return Printable.append(sb, b, SHOWN, true).toString();
    }
}
