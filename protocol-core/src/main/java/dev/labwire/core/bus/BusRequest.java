package dev.labwire.core.bus;

import dev.labwire.core.Request;

/**
 * One request of a {@link Bus}: waiting for its device's turn ({@link DeviceQueues}), or handed to the connection
 * underneath. {@code request} is the caller's, {@code wire} the addressed one the connection writes.
 */
final class BusRequest {
    final long id;
    final Address address;
    final Request request;
    final Request wire;
    final Bus.Priority priority;
    final long deadline;
    /** Reply frames discarded as foreign while this request waited on the wire, and why the last one was. */
    int foreignFrames;
    String lastForeign;

    BusRequest(long id, Address address, Request request, Request wire, Bus.Priority priority, long deadline) {
        this.id = id;
        this.address = address;
        this.request = request;
        this.wire = wire;
        this.priority = priority;
        this.deadline = deadline;
    }
}
