package dev.labwire.mock;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;

/**
 * The IEEE 488.2 status model of a mock instrument (IEEE 488.2 section 11): the Standard Event Status Register (ESR)
 * with its enable mask (ESE), the status byte (STB) with its service request enable mask (SRE), and the error queue's
 * summary. What each personality reads: {@code *STB?} over a raw socket, VXI-11's {@code device_readstb}, HiSLIP's
 * AsyncStatusQuery; a rise of the status byte's MSS bit (bit 6) is a service request, reported to
 * {@link #onServiceRequest listeners} (VXI-11's interrupt channel, HiSLIP's AsyncServiceRequest).
 *
 * <p>Bits: ESR 0 OPC (set by {@code *OPC}), 2 QYE (query errors, -4xx), 3 DDE (device errors, -3xx and positive),
 * 4 EXE (execution errors, -2xx), 5 CME (command errors, -1xx); STB 2 EAV (the error queue holds an error),
 * 4 MAV (a reply waits: only the protocol personalities know, so they pass it), 5 ESB (ESR &amp; ESE), 6 MSS
 * (STB &amp; SRE, bit 6 excluded). Thread-safe.
 */
final class StatusRegisters {
    static final int OPC = 0x01;
    static final int EAV = 0x04;
    static final int MAV = 0x10;
    static final int ESB = 0x20;
    static final int MSS = 0x40;

    private final List<IntConsumer> listeners = new CopyOnWriteArrayList<>();
    private int esr;
    private int ese;
    private int sre;
    private boolean errorsQueued;
    private boolean mss;
    private int triggers;

    /** An error went into the queue: its class sets the ESR bit IEEE 488.2 names for it. */
    void error(String error) {
        int code;
        try {
            code = Integer.parseInt(error.substring(0, Math.max(0, error.indexOf(','))).strip());
        } catch (RuntimeException e) {
            code = -300;
        }
        int bit = code <= -100 && code > -200 ? 0x20 : code <= -200 && code > -300 ? 0x10
                : code <= -400 && code > -500 ? 0x04 : 0x08;
        update(() -> {
            esr |= bit;
            errorsQueued = true;
        });
    }

    /** The error queue is empty now (read out or cleared). */
    void errorsEmpty() {
        update(() -> errorsQueued = false);
    }

    void opc() {
        update(() -> esr |= OPC);
    }

    /** {@code *CLS}: the event register (and, by the caller, the error queue) cleared. */
    void clear() {
        update(() -> {
            esr = 0;
            errorsQueued = false;
        });
    }

    /** {@code *ESR?}: the register, then cleared. */
    int readEsr() {
        int[] out = new int[1];
        update(() -> {
            out[0] = esr;
            esr = 0;
        });
        return out[0];
    }

    void ese(int mask) {
        update(() -> ese = mask & 0xff);
    }

    void sre(int mask) {
        update(() -> sre = mask & 0xbf); // bit 6 of SRE is ignored (IEEE 488.2 11.3.2.3)
    }

    synchronized int ese() {
        return ese;
    }

    synchronized int sre() {
        return sre;
    }

    synchronized void trigger() {
        triggers++;
    }

    synchronized int triggers() {
        return triggers;
    }

    /** The status byte now; {@code messageAvailable} is the MAV bit, which only the personality knows. */
    synchronized int statusByte(boolean messageAvailable) {
        int stb = summary() | (messageAvailable ? MAV : 0);
        return (stb & sre) != 0 ? stb | MSS : stb;
    }

    /** Called with every change's new state: a rise of MSS (without MAV) is a service request. */
    AutoCloseable onServiceRequest(IntConsumer listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private int summary() {
        return (errorsQueued ? EAV : 0) | ((esr & ese) != 0 ? ESB : 0);
    }

    private void update(Runnable change) {
        int stb;
        boolean rose;
        synchronized (this) {
            change.run();
            stb = statusByte(false);
            boolean now = (stb & MSS) != 0;
            rose = now && !mss;
            mss = now;
        }
        if (rose) {
            for (IntConsumer l : listeners) {
                l.accept(stb);
            }
        }
    }
}
