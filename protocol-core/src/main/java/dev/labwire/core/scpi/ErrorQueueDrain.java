package dev.labwire.core.scpi;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.frame.Frame;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads an instrument's error queue until it is empty, as a Sans-IO sequence of requests: it says what
 * to send, the caller sends it and hands back the reply. The queue is read with {@code SYST:ERR?}
 * (SCPI-1999 Vol. 2, 21.8) one entry at a time, oldest first, until the {@code 0,"No error"} answer.
 *
 * <pre>{@code
 * ErrorQueueDrain drain = new ErrorQueueDrain();
 * while (!drain.isDone()) {
 *     Request r = drain.nextRequest();
 *     Frame reply = ...;              // send r, get its reply frame
 *     drain.accept(reply);
 * }
 * if (drain.hitLimit()) { ... }       // the queue never emptied: report it
 * for (ScpiError e : drain.errors()) { ... }
 * }</pre>
 *
 * <p>One request is outstanding at a time: {@link #nextRequest()} then {@link #accept(Frame)}, in turn.
 * The drain ends at the first no-error answer, or after {@code maxReads} answers (default
 * {@value #DEFAULT_MAX_READS}), which bounds the loop on an instrument that keeps adding errors or never
 * answers 0; {@link #hitLimit()} then says so. An answer that is not an error queue entry fails
 * {@link #accept(Frame)} with a {@link RemoteProtocolException}, and the drain stays
 * failed: further calls throw {@link IllegalStateException}.
 *
 * <p>Not thread-safe; one drain per caller.
 */
public final class ErrorQueueDrain {
    /** Default error query: {@value}. */
    public static final String DEFAULT_QUERY = "SYST:ERR?";
    /** Default bound on answers read: {@value}. */
    public static final int DEFAULT_MAX_READS = 100;

    private enum State { READY, AWAITING_REPLY, DONE, FAILED }

    private final Request request;
    private final int maxReads;
    private final List<ScpiError> errors = new ArrayList<>();
    private State state = State.READY;
    private int reads;
    private boolean hitLimit;

    /** Drains with {@value #DEFAULT_QUERY}, at most {@value #DEFAULT_MAX_READS} reads. */
    public ErrorQueueDrain() {
        this(DEFAULT_QUERY, DEFAULT_MAX_READS);
    }

    /**
     * Drains with {@code query} ({@code ?} appended if missing, as {@link Scpi#query(String)} does),
     * at most {@code maxReads} reads.
     *
     * @throws IllegalArgumentException if the query is empty or holds {@code \n}, {@code \r} or
     *         {@code ;}, or {@code maxReads} is below 1
     */
    public ErrorQueueDrain(String query, int maxReads) {
        if (maxReads < 1) {
            throw new IllegalArgumentException("maxReads must be at least 1: " + maxReads);
        }
        this.request = Request.query(Scpi.query(query));
        this.maxReads = maxReads;
    }

    /**
     * The next query to send: {@code Request.query(query)}, expecting one line.
     *
     * @throws IllegalStateException if the drain is done, failed, or its last request has no reply yet
     */
    public Request nextRequest() {
        if (state != State.READY) {
            throw new IllegalStateException("nextRequest() in state " + state + after());
        }
        state = State.AWAITING_REPLY;
        return request;
    }

    /**
     * The reply to the outstanding request.
     *
     * @throws RemoteProtocolException if the reply is not an error queue entry (as
     *         {@link ScpiError#parse(String)}); the drain is then failed
     * @throws IllegalStateException if no request is outstanding
     */
    public void accept(Frame reply) {
        Objects.requireNonNull(reply, "reply");
        if (state != State.AWAITING_REPLY) {
            throw new IllegalStateException("accept() with no request outstanding, in state " + state + after());
        }
        ScpiError error;
        try {
            error = ScpiError.parse(reply.asString());
        } catch (RemoteProtocolException e) {
            state = State.FAILED;
            throw e;
        }
        reads++;
        if (error.isNoError()) {
            state = State.DONE;
        } else {
            errors.add(error);
            if (reads >= maxReads) {
                hitLimit = true;
                state = State.DONE;
            } else {
                state = State.READY;
            }
        }
    }

    /** True after a no-error answer, or after {@code maxReads} answers. */
    public boolean isDone() {
        return state == State.DONE;
    }

    /** True when the drain stopped after {@code maxReads} answers without seeing a no-error answer. */
    public boolean hitLimit() {
        return hitLimit;
    }

    /** The errors read so far, oldest first, without the final no-error answer; unmodifiable copy. */
    public List<ScpiError> errors() {
        return List.copyOf(errors);
    }

    @Override
    public String toString() {
        return "ErrorQueueDrain[" + request.text() + ", " + state + ", " + reads + "/" + maxReads + " reads, "
                + errors.size() + " errors" + (hitLimit ? ", hit limit" : "") + "]";
    }

    private String after() {
        return " (after " + reads + " of at most " + maxReads + " reads)";
    }
}
