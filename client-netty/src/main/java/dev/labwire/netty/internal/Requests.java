package dev.labwire.netty.internal;

import dev.labwire.core.Event;
import dev.labwire.core.LinkMachine;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Request;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * How a caller's request reaches the core of a {@link NettyDriver}, and how a cancel withdraws it: the call hops onto
 * the event loop (at once when called there), the core takes it and gives it an id, {@link Calls} keeps the call
 * under that id until the core's ending event, and the driver's drain loop runs. A call cancelled before the core
 * took it is never sent; one cancelled after is withdrawn with {@link LinkMachine#cancel} (unwritten: never sent;
 * written: it ends, and its reply goes to the stale-reply policy). After {@code close()} calls fail at once.
 */
final class Requests {
    /** Hands request {@code r} to the core at {@code nowNanos}; returns its id. */
    interface Send {
        long send(Request r, long nowNanos);
    }

    private final NettyDriver driver;
    private final LinkMachine machine;
    private final EventLoop loop;
    private final Callbacks callbacks;
    private final Calls calls;
    private final Call.Canceller canceller = this::cancelled; // one for every call: no object per call

    Requests(NettyDriver driver, LinkMachine machine, EventLoop loop, Callbacks callbacks, Calls calls) {
        this.driver = driver;
        this.machine = machine;
        this.loop = loop;
        this.callbacks = callbacks;
        this.calls = calls;
    }

    /**
     * Hands {@code r} to the core on the loop with {@code send} (called there with {@code r} and the time; returns the id,
     * or throws to fail the call); a {@code send} that captures nothing but its driver serves every call. With callbacks
     * on the user's executor the conversion is a {@code thenApply} stage (see {@link Call}).
     */
    @SuppressWarnings("unchecked")
    <T> CompletableFuture<T> submit(Request r, Send send, Function<Event.Reply, ? extends T> convert) {
        if (convert != Call.REPLY && callbacks.userExecutor() != null) {
            return Call.relay(callbacks, (Call<Event.Reply>) submit(r, send, Call.REPLY), convert);
        }
        Call<T> call = Call.of(callbacks, convert, canceller);
        if (driver.isClosed()) {
            call.fail(closedError(r));
        } else if (loop.inEventLoop()) {
            submitOnLoop(call, r, send);
        } else {
            callbacks.onLoop(() -> submitOnLoop(call, r, send), call);
        }
        return call;
    }

    private void submitOnLoop(Call<?> call, Request r, Send send) {
        if (call.isDone()) {
            return; // cancelled before it reached the loop: never sent
        }
        if (driver.isClosing()) {
            callbacks.fail(call, closedError(r));
            return;
        }
        long id;
        try {
            id = send.send(r, System.nanoTime());
        } catch (RuntimeException e) {
            callbacks.fail(call, e);
            return;
        }
        call.id = id;
        calls.add(id, call);
        driver.drain();
    }

    /** {@code call} was cancelled (any thread): its request is withdrawn on the loop, unwritten or not. */
    private void cancelled(Call<?> call) {
        callbacks.onLoop(() -> {
            if (call.id == 0 || driver.isClosing()) {
                return; // not taken by the core yet (submitOnLoop will see it is done), or every call ends anyway
            }
            if (machine.cancel(call.id, System.nanoTime())) {
                calls.remove(call.id); // withdrawn unwritten: no event will come
            } // else written: the core ends it with Failed (a no-op on a cancelled future), its reply goes stale
            driver.drain();
        });
    }

    private LocalProtocolException closedError(Request r) {
        return new LocalProtocolException("client " + callbacks.name() + " is closed; cannot send \"" + r.text() + "\"");
    }
}
