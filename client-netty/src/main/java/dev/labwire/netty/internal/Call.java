package dev.labwire.netty.internal;

import dev.labwire.core.Event;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The future a caller gets for one request, completed by its driver: with the {@link Event.Reply} ({@link #REPLY}),
 * or with what the call's conversion makes of it ({@code query} completes with the reply's text), in one stage
 * instead of a {@code thenApply} on a reply future. A converting call fails the way that stage would: with the
 * failure wrapped in a {@link CompletionException} ({@code join()} and {@code whenComplete} see it; {@code get()}
 * unwraps it); a conversion that throws fails the call the same way. A call of the reply itself fails with the
 * failure itself.
 *
 * <p>The driver completes a call on the client's event loop, conversion included (library code: parsing, copying), with
 * or without a callback executor; user code registered on it runs where {@link Guarded} says. (Before, with a callback
 * executor, calls completed on it, and a converting call was a {@code thenApply} stage on a reply future, since a
 * thread blocked in {@code get()} may run a future's plain dependents itself; now those run on the executor whatever
 * thread fires them.)
 *
 * <p>A call is {@link Guarded} (no {@code join()} where it could never complete), and {@link #cancel cancelling}
 * it withdraws its request through the driver ({@code LinkMachine.cancel}).
 *
 * @param <T> what the caller gets
 */
public final class Call<T> extends Guarded<T> {
    /** The conversion of a call that completes with the reply itself. */
    public static final Function<Event.Reply, Event.Reply> REPLY = r -> r;
    /**
     * The conversion of a call that completes with the reply's text ({@link Event.Reply#text()}): a one-frame reply's
     * text is taken from its frame, with no {@link Event.Reply} made for it.
     */
    public static final Function<Event.Reply, String> TEXT = Event.Reply::text;

    /** Told when a call is cancelled (on the cancelling thread), to withdraw its request. */
    interface Canceller {
        void cancelled(Call<?> call);
    }

    private final Function<Event.Reply, ? extends T> convert;
    private final Canceller canceller;
    /** The core's id of the request, once the core took it; event loop only. 0 before. */
    long id;
    /**
     * The request as the caller made it, when the core got a copy with less time left (it waited for the loop), for
     * the failure's message; null otherwise. Event loop only.
     */
    dev.labwire.core.Request asked;

    private Call(Callbacks owner, Function<Event.Reply, ? extends T> convert, Canceller canceller) {
        super(owner);
        this.convert = java.util.Objects.requireNonNull(convert, "convert");
        this.canceller = canceller;
    }

    /** A call that completes with {@code convert} applied to the reply (on the completing thread), or the reply for {@link #REPLY}. */
    static <T> Call<T> of(Function<Event.Reply, ? extends T> convert) {
        return new Call<>(null, convert, null);
    }

    /** As {@link #of(Function)}, guarded by {@code owner}'s threads ({@link Guarded}); {@code canceller} hears of a cancel. */
    static <T> Call<T> of(Callbacks owner, Function<Event.Reply, ? extends T> convert, Canceller canceller) {
        return new Call<>(owner, convert, canceller);
    }

    /**
     * Cancels the call and withdraws its request: one whose bytes have not gone out is never sent; one already
     * written ends, and its reply, if it comes, goes to the connection's stale-reply policy.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled && canceller != null) {
            canceller.cancelled(this);
        }
        return cancelled;
    }

    /** Completes with {@code reply}, converted. */
    void succeed(Event.Reply reply) {
        if (convert == REPLY) {
            complete(convert.apply(reply));
            return;
        }
        T value;
        try {
            value = convert.apply(reply);
        } catch (Throwable t) {
            completeExceptionally(new CompletionException(t));
            return;
        }
        complete(value);
    }

    /**
     * Completes with the reply of one frame {@code frame} to request {@code id}, converted: the same as
     * {@link #succeed(Event.Reply)} with that reply, which is made only when the conversion needs it.
     */
    void succeed(long id, dev.labwire.core.Request request, dev.labwire.core.frame.Frame frame) {
        if (convert == TEXT) {
            complete(uncheckedText(frame));
            return;
        }
        succeed(new Event.Reply(id, request, java.util.List.of(frame)));
    }

    @SuppressWarnings("unchecked")
    private T uncheckedText(dev.labwire.core.frame.Frame frame) {
        return (T) frame.asString(); // convert is TEXT: T is String
    }

    /** Fails with {@code cause}, wrapped as a {@code thenApply} stage would wrap it when this call converts. */
    void fail(Throwable cause) {
        completeExceptionally(convert == REPLY || cause instanceof CompletionException ? cause : new CompletionException(cause));
    }

    /** Fails {@code f} with {@code cause}: through {@link #fail} for a call, as it is for any other future. */
    static void fail(CompletableFuture<?> f, Throwable cause) {
        if (f instanceof Call<?> c) {
            c.fail(cause);
        } else {
            f.completeExceptionally(cause);
        }
    }
}
