package dev.labwire.core;

/**
 * An instrument-control operation that is not a message to the instrument's parser but a function of the session
 * protocol (IEEE 488.1 bus functions, as VXI-11 and HiSLIP carry them over a LAN). Sent as
 * {@link Request#operation(Operation)}; the request ends like any other (reply, timeout, failure, by its deadline).
 *
 * <table>
 * <caption>what each transport does</caption>
 * <tr><th>operation</th><th>VXI-11</th><th>HiSLIP</th><th>raw SCPI link (tcp://, serial:)</th></tr>
 * <tr><td>{@link #READ_STATUS_BYTE}</td><td>device_readstb</td><td>AsyncStatusQuery</td><td>{@code *STB?} query</td></tr>
 * <tr><td>{@link #CLEAR}</td><td>device_clear</td><td>the device-clear sequence</td><td>refused</td></tr>
 * <tr><td>{@link #TRIGGER}</td><td>device_trigger</td><td>Trigger</td><td>{@code *TRG}</td></tr>
 * <tr><td>{@link #LOCK}</td><td>device_lock</td><td>AsyncLock (exclusive)</td><td>refused</td></tr>
 * <tr><td>{@link #UNLOCK}</td><td>device_unlock</td><td>AsyncLock release</td><td>refused</td></tr>
 * <tr><td>{@link #REMOTE}</td><td>device_remote</td><td>AsyncRemoteLocalControl</td><td>refused</td></tr>
 * <tr><td>{@link #LOCAL}</td><td>device_local</td><td>AsyncRemoteLocalControl</td><td>refused</td></tr>
 * </table>
 * "Refused" means {@code send} throws {@link UnsupportedOperationException} naming the operation and the
 * transports that have it; nothing is written.
 */
public enum Operation {
    /**
     * Reads the status byte (IEEE 488.2 STB: bit 6 = RQS/MSS, bit 5 = ESB, bit 4 = MAV). The reply holds one frame,
     * the byte as decimal ASCII ({@code "64"}), whatever the transport.
     */
    READ_STATUS_BYTE("read the status byte"),
    /** Device clear (IEEE 488.1 DCL/SDC): the instrument drops its input and output buffers and pending replies. */
    CLEAR("device clear"),
    /** Group execute trigger (IEEE 488.1 GET). */
    TRIGGER("trigger"),
    /**
     * Takes the instrument's exclusive lock, waiting for it up to the request's timeout; other clients' requests then
     * wait or fail until {@link #UNLOCK}.
     */
    LOCK("lock"),
    /** Releases this client's lock. */
    UNLOCK("unlock"),
    /** Puts the instrument in remote state (front panel locked out where it has that). */
    REMOTE("remote"),
    /** Returns the instrument to local state (front panel). */
    LOCAL("go to local");

    private final String shown;

    Operation(String shown) {
        this.shown = shown;
    }

    /** What it is called in messages: {@code "device clear"}. */
    public String shown() {
        return shown;
    }
}
