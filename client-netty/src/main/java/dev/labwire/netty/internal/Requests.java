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
 *
 * <p>A call's timeout counts from the call, not from when the loop got to it: a loop busy with other clients, a large
 * reply or (in a cold JVM) class loading would otherwise add its backlog to every deadline (measured: a 300 ms call
 * ending after 674-900 ms as a fresh JVM's first call). A request that waited for the loop longer than
 * {@value #HOP_SLACK_NANOS} ns reaches the core with what is left of its timeout; the caller's message still names the
 * timeout it asked for.
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
    /** A hop shorter than this keeps the request as it is (no copy on the usual path). */
    static final long HOP_SLACK_NANOS = 1_000_000L;
    private final java.time.Duration defaultTimeout;

    Requests(NettyDriver driver, LinkMachine machine, EventLoop loop, Callbacks callbacks, Calls calls,
            java.time.Duration defaultTimeout) {
        this.defaultTimeout = defaultTimeout;
        this.driver = driver;
        this.machine = machine;
        this.loop = loop;
        this.callbacks = callbacks;
        this.calls = calls;
    }

    /**
     * Hands {@code r} to the core on the loop with {@code send} (called there with {@code r} and the time; returns the id,
     * or throws to fail the call); a {@code send} that captures nothing but its driver serves every call. The call
     * completes on the loop, converted there ({@link Call}).
     */
    <T> CompletableFuture<T> submit(Request r, Send send, Function<Event.Reply, ? extends T> convert) {
        Call<T> call = Call.of(callbacks, convert, canceller);
        if (driver.isClosed()) {
            call.fail(closedError(r));
        } else if (loop.inEventLoop()) {
            submitOnLoop(call, r, send, 0L);
        } else {
            long calledAt = System.nanoTime();
            callbacks.onLoop(() -> submitOnLoop(call, r, send, calledAt), call);
        }
        return call;
    }

    /** {@code calledAt}: when the caller made the call off the loop, or 0 for a call made on it. */
    private void submitOnLoop(Call<?> call, Request r, Send send, long calledAt) {
        if (call.isDone()) {
            return; // cancelled before it reached the loop: never sent
        }
        if (driver.isClosing()) {
            callbacks.fail(call, closedError(r));
            return;
        }
        long id;
        try {
            long now = System.nanoTime();
            id = send.send(calledAt == 0L ? r : leftOf(call, r, now - calledAt), now);
        } catch (RuntimeException e) {
            callbacks.fail(call, e);
            return;
        }
        call.id = id;
        calls.add(id, call);
        driver.drain();
    }

    /** {@code r} with its timeout less {@code waited}, when that is more than the slack; the call keeps {@code r}. */
    private Request leftOf(Call<?> call, Request r, long waited) {
        if (waited < HOP_SLACK_NANOS) {
            return r;
        }
        java.time.Duration asked = r.timeout() != null ? r.timeout() : defaultTimeout;
        long left = dev.labwire.core.internal.Durations.nanos(asked) - waited;
        call.asked = r;
        return r.withTimeout(java.time.Duration.ofNanos(Math.max(1L, left)));
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
