package dev.labwire.core.vxi11.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Operation;
import dev.labwire.core.Request;
import dev.labwire.core.vxi11.Vxi11Error;
import dev.labwire.core.vxi11.Vxi11Exception;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceGenericParms;
import java.util.ArrayDeque;

/**
 * Part of a {@link Vxi11Session}: the request running on the link (at most one, VXI-11 calls on a link are serial),
 * which one runs next, and how it ends. Next is, in this order: the device_clear owed by a query that ended without
 * its answer; the link's set-up runs (relock, interrupt channel); the device_readstb a service request asked for; the
 * on-connect hook's requests; then, once the hook is done, the user's. A run's steps ({@link RequestRun}) are calls on
 * the link, a wait before the next device_read, or its end; a run that ends early with its call on the wire has that
 * call aborted (device_abort) and its reply owed. The session holds the link's phase and state, and routes the
 * driver's inputs.
 */
final class RunDispatch {

    private final Vxi11Session session;
    private final ArrayDeque<Event> events;
    private final ConnectionConfig config;
    private final WaitingRuns runs;
    private final CoreChannel link;
    private final LinkSetup setup;
    private final ServiceRequestChannel srq;
    private final AbortChannel abort;
    private RequestRun active;

    RunDispatch(Vxi11Session session, ArrayDeque<Event> events, ConnectionConfig config, WaitingRuns runs,
            CoreChannel link, LinkSetup setup, ServiceRequestChannel srq, AbortChannel abort) {
        this.session = session;
        this.events = events;
        this.config = config;
        this.runs = runs;
        this.link = link;
        this.setup = setup;
        this.srq = srq;
        this.abort = abort;
    }

    /** The request running on the link, or null. */
    RequestRun active() {
        return active;
    }

    /** Takes the running request off the link (the link is lost or closed, or sent bad RPC): the caller ends it. */
    RequestRun takeActive() {
        RequestRun p = active;
        active = null;
        return p;
    }

    /** Starts the next request when the link is free. */
    void pump(long now) {
        if (!session.isUp() || active != null || link.busy()) {
            return;
        }
        if (link.takeClearOwed()) {   // a query ended without its answer, which may still wait in the device: clear it
            link.call(Vxi11.DEVICE_CLEAR, new DeviceGenericParms(setup.lid(), Vxi11.FLAG_WAITLOCK,
                    Vxi11Session.OWED_GRACE_MS, Vxi11Session.OWED_GRACE_MS), null);
            link.owe(now);
            return;
        }
        RequestRun next = runs.setupQueue().poll();
        if (next == null && srq.awaitingAddress()) {
            return;   // the interrupt channel's address comes first (channelListening), then create_intr_chan
        }
        if (next == null && srq.takeReadOwed()) {
            next = runs.internal(RequestRun.Kind.SRQ_STB, Request.operation(Operation.READ_STATUS_BYTE),
                    dev.labwire.core.internal.Durations.deadline(now, config.defaultTimeout()));
        }
        if (next == null) {
            next = runs.hookQueue().poll();
        }
        if (next == null && !session.hookRunning()) {
            session.hookOver();
            next = runs.queue().poll();
        }
        if (next == null) {
            return;
        }
        active = next;
        apply(next.start(setup.lid(), setup.maxRecvSize(), config, now), now);
    }

    private void apply(RequestRun.Step step, long now) {
        if (step instanceof RequestRun.Call c) {
            link.call(c.procedure(), c.args(), active);
        } else if (step instanceof RequestRun.End e) {
            end(active, e.event(), now);
        }
        // a Wait: the run stays active with no call on the wire; pollTimeout gives its time, handleTimeout resumes it
    }

    /** The SUCCESS results of the running request's call. */
    void result(int procedure, XdrReader r, long now) {
        if (active == null) {   // destroy_link after close
            return;
        }
        apply(active.result(procedure, r, now), now);
    }

    /**
     * The running request ended early (timeout, cancel): a query's answer is owed a device_clear; a call still on the
     * wire is aborted and its reply owed.
     */
    void giveUpActive(long now) {
        link.oweClear(active.expectsAnswer());
        active = null;
        if (link.busy()) {
            link.owe(now);
            if (!abort.available()) {
                return;   // the device gave no abort channel: wait for the reply (or the grace) only
            }
            abort.abort(link.nextXid(), setup.lid());
        }
    }

    private void end(RequestRun p, Event e, long now) {
        active = null;
        if (!(e instanceof Event.Reply) && p.expectsAnswer()) {
            link.oweClear(true);
        }
        if (p.kind != RequestRun.Kind.USER && p.kind != RequestRun.Kind.HOOK) {
            if (setup.internalEnded(p, e, now)) {
                pump(now);
            }
            return;
        }
        setup.track(p, e);
        if (p.internal && !(e instanceof Event.Reply)) {
            events.add(new Event.CloseLink("on-connect request " + p.request + " did not succeed"));
            session.attemptFailed(new LinkDownException("on-connect request " + p.request + " did not succeed: " + e,
                    null), now);
            return;
        }
        if (!p.internal) {
            events.add(e);
        }
        if (linkForgotten(e)) {
            // B.5.1 error 4: the device no longer knows this lid (reset, its own timeout); every later call on it
            // would fail the same way, so the link is made again (create_link) and the next request goes there
            String why = "the device answered " + ((Event.Failed) e).cause().getMessage() + ": it no longer knows link "
                    + setup.lid();
            events.add(new Event.CloseLink(why));
            session.attemptFailed(new LinkDownException(why, null), now);
            return;
        }
        pump(now);
    }

    private static boolean linkForgotten(Event e) {
        return e instanceof Event.Failed f && f.cause() instanceof Vxi11Exception v
                && v.code() == Vxi11Error.INVALID_LINK_IDENTIFIER.code();
    }

    /** The caller gave up on request {@code id}: when it is the running one, it ends now. */
    void cancel(long id, long now) {
        if (active != null && active.id == id) {
            events.add(new Event.Failed(id, active.request,
                    new LocalProtocolException("request " + id + " was cancelled while on the wire")));
            giveUpActive(now);
        }
    }

    /**
     * The running request's timers: past its deadline it ends with a timeout (an internal one as its part says, a
     * hook's fails the link); after an empty read's wait its next device_read goes. False when the link was failed
     * (nothing more to do on it now).
     */
    boolean handleTimeout(long now) {
        if (active != null && active.deadline - now <= 0) {
            RequestRun p = active;
            giveUpActive(now);
            if (p.kind != RequestRun.Kind.USER && p.kind != RequestRun.Kind.HOOK) {
                if (!setup.internalEnded(p, new Event.Timeout(p.id, p.request, true, "the device did not answer " + Vxi11
                        .procedureName(Vxi11.CORE_PROGRAM, link.procedure())), now)) {
                    return false;
                }
            } else if (p.internal) {
                events.add(new Event.CloseLink("on-connect request " + p.request + " timed out"));
                session.attemptFailed(new LinkDownException("on-connect request " + p.request + " timed out", null),
                        now);
                return false;
            } else {
                events.add(new Event.Timeout(p.id, p.request, true, p.received() + " reply bytes came"
                        + p.emptyReadNote()));
            }
        }
        if (active != null) {
            RequestRun.Step next = active.resume(now);   // the device_read after an empty read's wait
            if (next != null) {
                apply(next, now);
            }
        }
        return true;
    }

    /** The earlier of {@code t} and the running request's deadline or read-again time. */
    long earliest(long t) {
        return active == null ? t : Math.min(t, Math.min(active.deadline, active.readAt()));
    }
}
