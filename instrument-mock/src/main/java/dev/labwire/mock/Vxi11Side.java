package dev.labwire.mock;

import dev.labwire.core.vxi11.internal.Portmap;
import dev.labwire.core.vxi11.internal.Portmap.Mapping;
import dev.labwire.core.vxi11.internal.Vxi11;
import java.io.IOException;
import java.util.List;

/**
 * The VXI-11 personality of a {@link MockInstrument}: a portmapper (TCP and UDP), the core channel and the abort
 * channel, all on 127.0.0.1, serving one {@link Vxi11Device}. A restart after {@link #stop()} makes a fresh device
 * (links and locks are gone, as after a power cycle); the mock's dictionary and scripted replies are kept.
 */
final class Vxi11Side implements LinkSide {

    /** The largest RPC record taken from a client: a device_write of maxRecvSize plus the RPC header. */
    private static final int RECORD_SLACK = 1024;

    private final MockInstrument owner;
    private final Vxi11Options options;
    private final java.util.concurrent.atomic.AtomicLong deviceReads = new java.util.concurrent.atomic.AtomicLong();
    private Vxi11Device device;
    private RpcServer portmapper;
    private RpcServer core;
    private RpcServer abort;

    Vxi11Side(MockInstrument owner, Vxi11Options options) {
        this.owner = owner;
        this.options = options;
    }

    @Override
    public synchronized void start() throws IOException {
        if (device != null) {
            return;
        }
        Vxi11Device d = new Vxi11Device(owner, options, deviceReads);
        int maxRecord = options.maxRecvSize() + RECORD_SLACK;
        RpcServer c = new RpcServer("core", options.corePort(), maxRecord, false, d.core, options.replyFragment());
        RpcServer a = new RpcServer("abort", options.abortPort(), RECORD_SLACK, false, d.abort);
        RpcServer p = new RpcServer("portmapper", options.portmapperPort(), RECORD_SLACK, true,
                new PortmapService(() -> List.of(
                        new Mapping(Vxi11.CORE_PROGRAM, Vxi11.VERSION, Portmap.IPPROTO_TCP, c.port()),
                        new Mapping(Portmap.PROGRAM, Portmap.VERSION, Portmap.IPPROTO_TCP, portmapper.port()),
                        new Mapping(Portmap.PROGRAM, Portmap.VERSION, Portmap.IPPROTO_UDP, portmapper.port()))));
        try {
            c.start();
            a.start();
            d.abortPort(a.port());
            portmapper = p;
            p.start();
        } catch (IOException e) {
            d.close();
            c.stop();
            a.stop();
            p.stop();
            portmapper = null;
            throw e;
        }
        device = d;
        core = c;
        abort = a;
    }

    @Override
    public void stop() {
        Vxi11Device d;
        RpcServer[] servers;
        synchronized (this) {
            if (device == null) {
                return;
            }
            d = device;
            servers = new RpcServer[] {portmapper, core, abort};
            device = null;
        }
        d.close();
        for (RpcServer s : servers) {
            s.stop();
        }
    }

    @Override
    public void restart() throws IOException {
        synchronized (this) {
            if (device == null) {
                start();
                return;
            }
        }
        disconnect();
    }

    @Override
    public synchronized void disconnect() {
        if (core != null) {
            core.dropConnections();
            abort.dropConnections();
            portmapper.dropConnections();
        }
    }

    @Override
    public void dropLink(Session session) {
        session.close();   // VXI-11 has no Session; kept for the interface
    }

    @Override
    public void halfClose(Session session) throws IOException {
        session.wire().shutdownOutput();
    }

    @Override
    public String endpoint() {
        return "TCPIP::127.0.0.1::inst0::INSTR";
    }

    synchronized int corePort() {
        return core == null ? options.corePort() : core.port();
    }

    synchronized int abortPort() {
        return abort == null ? options.abortPort() : abort.port();
    }

    synchronized int portmapperPort() {
        return portmapper == null ? options.portmapperPort() : portmapper.port();
    }

    Vxi11InterruptTarget interruptTarget() {
        Vxi11Device d;
        synchronized (this) {
            d = device;
        }
        return d == null ? null : d.interruptTarget();
    }

    int requestService() {
        Vxi11Device d;
        synchronized (this) {
            d = device;
        }
        return d == null ? 0 : d.requestService();
    }

    long deviceReads() {
        return deviceReads.get();
    }

    int linkCount() {
        Vxi11Device d;
        synchronized (this) {
            d = device;
        }
        return d == null ? 0 : d.linkCount();
    }
}
