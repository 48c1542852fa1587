package dev.labwire.mock;

/**
 * Where a VXI-11 client asked the instrument to call it back (create_intr_chan) and the handle it gave
 * (device_enable_srq), as kept by a mock with {@link Vxi11Options#interruptCallback(boolean)
 * interruptCallback(false)}: a test then calls device_intr_srq there itself, with another RPC implementation.
 *
 * @param host    the IPv4 address of create_intr_chan's hostAddr, dotted
 * @param port    hostPort
 * @param program progNum (0x0607B1 for the VXI-11 interrupt program)
 * @param version progVers (1)
 * @param handle  the latest device_enable_srq handle (empty before one came)
 */
public record Vxi11InterruptTarget(String host, int port, int program, int version, byte[] handle) {

    /** Copies {@code handle}. */
    public Vxi11InterruptTarget {
        handle = handle.clone();
    }

    @Override
    public byte[] handle() {
        return handle.clone();
    }

    /** The handle as lower-case hex, e.g. for a command line. */
    public String handleHex() {
        return java.util.HexFormat.of().formatHex(handle);
    }
}
