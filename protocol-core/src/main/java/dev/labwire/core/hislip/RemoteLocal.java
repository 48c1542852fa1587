package dev.labwire.core.hislip;

/**
 * The control code of {@code AsyncRemoteLocalControl} (IVI-6.1 section 6.9): the GPIB-style remote/local requests,
 * numbered as VISA's {@code viGpibControlREN} modes.
 */
public enum RemoteLocal {
    /** VI_GPIB_REN_DEASSERT. */
    DISABLE_REMOTE(0),
    /** VI_GPIB_REN_ASSERT. */
    ENABLE_REMOTE(1),
    /** VI_GPIB_REN_DEASSERT_GTL. */
    DISABLE_REMOTE_GO_TO_LOCAL(2),
    /** VI_GPIB_REN_ASSERT_ADDRESS. */
    ENABLE_REMOTE_GO_TO_REMOTE(3),
    /** VI_GPIB_REN_ASSERT_LLO. */
    ENABLE_REMOTE_LOCK_OUT_LOCAL(4),
    /** VI_GPIB_REN_ASSERT_ADDRESS_LLO. */
    ENABLE_REMOTE_GO_TO_REMOTE_LOCK_OUT_LOCAL(5),
    /** VI_GPIB_REN_ADDRESS_GTL: go to local without changing REN or lockout. */
    GO_TO_LOCAL(6);

    private final int code;

    RemoteLocal(int code) {
        this.code = code;
    }

    /** The control code byte. */
    public int code() {
        return code;
    }

    /** The request of control code {@code code}; an {@link IllegalArgumentException} naming any code above 6. */
    public static RemoteLocal of(int code) {
        for (RemoteLocal r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new IllegalArgumentException("AsyncRemoteLocalControl control code " + code + " is not 0 to 6");
    }
}
