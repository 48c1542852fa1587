package dev.labwire.core.endpoint;

/** Data bits per character. Almost every instrument uses {@link #EIGHT}; some old RS232 devices use 7 with parity. */
public enum DataBits {
    FIVE(5),
    SIX(6),
    SEVEN(7),
    EIGHT(8);

    private final int bits;

    DataBits(int bits) {
        this.bits = bits;
    }

    /** The number of data bits, 5 to 8. */
    public int bits() {
        return bits;
    }

    /**
     * The constant for a bit count.
     *
     * @throws IllegalArgumentException unless {@code bits} is 5, 6, 7 or 8
     */
    public static DataBits of(int bits) {
        for (DataBits d : values()) {
            if (d.bits == bits) {
                return d;
            }
        }
        throw new IllegalArgumentException("data bits " + bits + " not supported; allowed: 5, 6, 7, 8");
    }
}
