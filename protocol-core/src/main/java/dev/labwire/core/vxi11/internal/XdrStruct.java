package dev.labwire.core.vxi11.internal;

/** An XDR structure that can write itself; {@link #encode()} gives its bytes. */
public interface XdrStruct {

    /** Appends this structure's XDR encoding to {@code w}. */
    void writeTo(XdrWriter w);

    /** This structure's XDR encoding. */
    default byte[] encode() {
        XdrWriter w = new XdrWriter();
        writeTo(w);
        return w.toByteArray();
    }

    /** {@code v} when it fits an XDR unsigned int, else IllegalArgumentException naming {@code name}. */
    static long u32(long v, String name) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(name + " must be 0..4294967295: " + v);
        }
        return v;
    }

    /** {@code v} when it is 0..{@code max}, else IllegalArgumentException naming {@code name}. */
    static int upTo(int v, int max, String name) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(name + " must be 0.." + max + ": " + v);
        }
        return v;
    }
}
