package dev.labwire.core.scpi;

import dev.labwire.core.RemoteProtocolException;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of an instrument's error queue, as {@code SYST:ERR?} answers it (SCPI-1999 Vol. 2, 21.8):
 * a code and a message, {@code -113,"Undefined header"}. Code 0 ({@code 0,"No error"}) means the queue
 * is empty. Negative codes are defined by SCPI, grouped in hundreds ({@link #classify()}); positive
 * codes are the instrument's own.
 *
 * <pre>{@code
 * ScpiError e = ScpiError.parse("-222,\"Data out of range;VOLT 50\"");
 * e.code();        // -222
 * e.message();     // Data out of range;VOLT 50
 * e.classify();    // ErrorClass.EXECUTION
 * e.toString();    // -222,"Data out of range;VOLT 50"
 * }</pre>
 *
 * @param code    the error number; 0 for "no error"
 * @param message the text without its quotes; everything after the first comma, including any
 *                {@code ;} device-dependent detail
 */
public record ScpiError(int code, String message) {
    private static final Pattern REPLY = Pattern.compile("\\s*([+-]?[0-9]+)\\s*,(.*)", Pattern.DOTALL);

    /** The SCPI class of an error code: which hundred it is in (SCPI-1999 Vol. 2, 21.8). */
    public enum ErrorClass {
        /** Code 0: no error, the queue is empty. */
        NONE,
        /** -100..-199: the command was not understood (syntax, undefined header); sets ESR bit CME. */
        COMMAND,
        /** -200..-299: understood but could not be executed (data out of range, settings conflict); sets EXE. */
        EXECUTION,
        /** -300..-399: a device-specific failure (self-test, calibration, queue overflow -350); sets DDE. */
        DEVICE_SPECIFIC,
        /** -400..-499: a query problem (interrupted, unterminated, deadlocked); sets QYE. */
        QUERY,
        /** -500..-599: the instrument was powered on; sets PON. */
        POWER_ON,
        /** -600..-699: a user request from the front panel; sets URQ. */
        USER_REQUEST,
        /** -700..-799: the instrument requested control of the bus; sets RQC. */
        REQUEST_CONTROL,
        /** -800..-899: an operation completed; sets OPC. */
        OPERATION_COMPLETE,
        /** Positive codes: defined by the instrument's manual. */
        DEVICE_DEFINED,
        /** Negative codes outside -100..-899 (-1..-99, -900 and below): reserved by SCPI, no class. */
        RESERVED
    }

    /** @throws NullPointerException if {@code message} is null */
    public ScpiError {
        Objects.requireNonNull(message, "message");
    }

    /**
     * Parses a {@code SYST:ERR?} answer: an integer (optionally signed, {@code +0}), a comma, and the
     * message. The message is trimmed and, if quoted, unquoted with doubled quotes undoubled; a missing
     * quote is tolerated ({@code -100,Command error}, {@code -100,"Command error}). Whitespace around
     * the code and the comma, and a trailing {@code \n}, are ignored.
     *
     * @throws RemoteProtocolException quoting the reply, if it does not start with an integer and a
     *         comma ({@code "No error"}, {@code "0"}), or the code does not fit an {@code int}
     */
    public static ScpiError parse(String reply) {
        Matcher m = REPLY.matcher(reply);
        if (!m.matches()) {
            throw new RemoteProtocolException("not a SCPI error queue answer (<code>,\"<message>\"): "
                    + Text.quoted(reply));
        }
        int code;
        try {
            code = Integer.parseInt(m.group(1));
        } catch (NumberFormatException e) {
            throw new RemoteProtocolException("error code out of int range in " + Text.quoted(reply), e);
        }
        String message = m.group(2).trim();
        boolean opens = message.startsWith("\"");
        boolean closes = message.length() >= (opens ? 2 : 1) && message.endsWith("\"");
        if (opens || closes) {
            message = message.substring(opens ? 1 : 0, message.length() - (closes ? 1 : 0)).replace("\"\"", "\"");
        }
        return new ScpiError(code, message);
    }

    /** True for code 0, the answer of an empty queue. */
    public boolean isNoError() {
        return code == 0;
    }

    /** Which SCPI range the code is in. */
    public ErrorClass classify() {
        if (code == 0) {
            return ErrorClass.NONE;
        } else if (code > 0) {
            return ErrorClass.DEVICE_DEFINED;
        }
        return switch (-code / 100) {
            case 1 -> ErrorClass.COMMAND;
            case 2 -> ErrorClass.EXECUTION;
            case 3 -> ErrorClass.DEVICE_SPECIFIC;
            case 4 -> ErrorClass.QUERY;
            case 5 -> ErrorClass.POWER_ON;
            case 6 -> ErrorClass.USER_REQUEST;
            case 7 -> ErrorClass.REQUEST_CONTROL;
            case 8 -> ErrorClass.OPERATION_COMPLETE;
            default -> ErrorClass.RESERVED;
        };
    }

    /** The answer's wire form, {@code -113,"Undefined header"}, embedded quotes doubled. */
    @Override
    public String toString() {
        return code + "," + Scpi.quote(message);
    }
}
