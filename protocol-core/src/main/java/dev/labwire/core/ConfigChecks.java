package dev.labwire.core;

import java.time.Duration;

/**
 * The checks behind {@link ConnectionConfig} and its builder: the durations' ranges, the settings that must agree
 * ({@link StaleReplyPolicy.ReleaseAfter} with {@code maxInFlight} 1), and a request's payload against the write
 * terminator (the counts' lower limits are {@link dev.labwire.core.internal.Counts}'s, shared with the Netty client).
 * Each throws {@link IllegalArgumentException} naming the setting (or request) and the bad value.
 *
 * <p>Separate from {@code ConnectionConfig} so that the public class holds only the settings and their documentation;
 * the messages here are part of its behaviour and unchanged. Static, stateless.
 */
final class ConfigChecks {
    private ConfigChecks() {
    }

    /** A polling period: positive and at least 1 ms, or null (off). */
    static Duration serviceRequestPolling(Duration period) {
        if (period != null) {
            dev.labwire.core.internal.Durations.positive("serviceRequestPolling", period);
            if (period.compareTo(Duration.ofMillis(1)) < 0) {
                throw new IllegalArgumentException("serviceRequestPolling must be at least 1 ms: " + period);
            }
        }
        return period;
    }

    /** A quiet time: zero up to 60 s. */
    static Duration quietAfterConnect(Duration quiet) {
        dev.labwire.core.internal.Durations.notNegative("quietAfterConnect", quiet);
        if (quiet.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("quietAfterConnect must be at most 60 s: " + quiet);
        }
        return quiet;
    }

    /** The settings a config is built from agree: {@link StaleReplyPolicy.ReleaseAfter} needs {@code maxInFlight} 1. */
    static void staleReplyPolicy(StaleReplyPolicy staleReplyPolicy, int maxInFlight) {
        if (staleReplyPolicy instanceof StaleReplyPolicy.ReleaseAfter && maxInFlight != 1) {
            throw new IllegalArgumentException("staleReplyPolicy " + staleReplyPolicy + " needs maxInFlight 1"
                    + " (a freed slot would shift every later reply): maxInFlight=" + maxInFlight);
        }
    }

    /** {@link ConnectionConfig#checkPayload}: {@code request} holds no {@code writeTerminator} outside its blocks. */
    static void payload(Request request, byte[] writeTerminator) {
        int at = ProgramMessage.terminatorOutsideBlocks(request.payloadNoCopy(), writeTerminator);
        if (at >= 0) {
            throw new IllegalArgumentException("request " + request + " contains the write terminator at index "
                    + at + " (outside any #<n><len> block); it would reach the device as two commands");
        }
    }

    /** {@link ConnectionConfig#checkRawByteCount}: no {@link Expect#bytes} where {@code classifier} pushes frames. */
    static void rawByteCount(Request request, FrameClassifier classifier) {
        if (request.expect() instanceof Expect.Bytes n && classifier != FrameClassifier.ALL_REPLIES) {
            throw new IllegalArgumentException("Expect.bytes(" + n.count() + ") for " + request + " on a connection whose"
                    + " FrameClassifier pushes frames: a raw byte count cannot tell a pushed frame from the reply, so a push"
                    + " arriving before the reply would become its first bytes and the reply's rest another call's; use"
                    + " Expect.block() for an IEEE 488.2 block (its '#' tells it from a push), a reply the framing cuts"
                    + " (Expect.frame(), Expect.line()), or a connection with FrameClassifier.ALL_REPLIES for raw counts");
        }
    }

    /**
     * Null when {@code answer} acknowledges {@code write} ({@code accepted} matches its ISO-8859-1 text as a whole),
     * else the error that fails the write.
     */
    static RemoteProtocolException refusedAcknowledgement(Request write, dev.labwire.core.frame.Frame answer,
            java.util.regex.Pattern accepted) {
        if (accepted.matcher(answer.asString()).matches()) {
            return null;
        }
        return new RemoteProtocolException("write " + write.shownText() + " was answered "
                + dev.labwire.core.frame.Printable.quoted(answer.toByteArray(), 0, answer.length(), 64)
                + ", which is not an acknowledgement: it does not match \"" + accepted.pattern()
                + "\" (ConnectionConfig.writeAcknowledgement)");
    }
}
