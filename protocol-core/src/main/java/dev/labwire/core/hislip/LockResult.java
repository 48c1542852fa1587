package dev.labwire.core.hislip;

/**
 * The control code of {@code AsyncLockResponse} (IVI-6.1 section 6.5, lock transaction). Its meaning depends on
 * what was asked: to a lock request 0 means the lock was not granted within the timeout, 1 that it was granted,
 * 3 an error (for example a shared lock asked for while this client holds the exclusive lock); to a release 1
 * means the exclusive lock was released, 2 a shared lock was released, 3 an error (no lock was held).
 */
public enum LockResult {
    /** Request: not granted before the timeout. */
    FAILURE(0),
    /** Request: granted. Release: the exclusive lock was released. */
    SUCCESS(1),
    /** Release: the shared lock was released. */
    SUCCESS_SHARED(2),
    /** Request or release: an invalid request. */
    ERROR(3);

    private final int code;

    LockResult(int code) {
        this.code = code;
    }

    /** The control code byte. */
    public int code() {
        return code;
    }

    /** The result of control code {@code code}; a {@link dev.labwire.core.RemoteProtocolException} naming any other. */
    public static LockResult of(int code) {
        for (LockResult r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new dev.labwire.core.RemoteProtocolException(
                "AsyncLockResponse control code " + code + " is none of 0 (failure), 1 (success), "
                        + "2 (success, shared lock released), 3 (error)");
    }
}
