package dev.labwire.core.hislip;

import dev.labwire.core.Expect;
import dev.labwire.core.Operation;
import dev.labwire.core.Request;

/**
 * One request of a {@link HislipSession}, queued or in flight: its id, deadline and kind (whose it is decides where
 * its ending event goes), and the ticket of its asynchronous exchange once sent. Shared by the classes the session is
 * made of, so it is a class of its own.
 */
final class PendingRequest {

    enum Kind {
        /** A user request: its events are handed out. */
        USER,
        /** A request of the config's on-connect list: events stay inside; a failure closes the link. */
        HOOK,
        /** A request of the driver's external hook: events handed out; a failure closes the link. */
        EXTERNAL_HOOK,
        /** Restoring the lock or remote state on a new link: events stay inside; a failure closes the link. */
        RESTORE
    }

    final long id;
    final Request request;
    final long deadline;
    final Kind kind;
    long ticket;          // the asynchronous request's, 0: none

    PendingRequest(long id, Request request, long deadline, Kind kind) {
        this.id = id;
        this.request = request;
        this.deadline = deadline;
        this.kind = kind;
    }

    /** The operation it asks for, or null for a write or query. */
    Operation operation() {
        return request.expect() instanceof Expect.Operate o ? o.operation() : null;
    }
}
