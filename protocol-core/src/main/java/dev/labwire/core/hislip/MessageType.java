package dev.labwire.core.hislip;

/**
 * The HiSLIP message types of IVI-6.1 (HiSLIP 1.0/1.1 codes 0 to 25; HiSLIP 2.0 adds 26 to 38), with the
 * channel each travels on. Codes 39 to 127 are reserved and 128 to 255 are vendor specific: {@link #of(int)}
 * answers {@link #RESERVED} and {@link #VENDOR_SPECIFIC} for them, so a decoder can name every byte it meets.
 *
 * <p>The control code and message parameter of each type are described on the factory methods of
 * {@link HislipMessage}.
 */
public enum MessageType {
    INITIALIZE(0, "Initialize"),
    INITIALIZE_RESPONSE(1, "InitializeResponse"),
    FATAL_ERROR(2, "FatalError"),
    ERROR(3, "Error"),
    ASYNC_LOCK(4, "AsyncLock"),
    ASYNC_LOCK_RESPONSE(5, "AsyncLockResponse"),
    DATA(6, "Data"),
    DATA_END(7, "DataEnd"),
    DEVICE_CLEAR_COMPLETE(8, "DeviceClearComplete"),
    DEVICE_CLEAR_ACKNOWLEDGE(9, "DeviceClearAcknowledge"),
    ASYNC_REMOTE_LOCAL_CONTROL(10, "AsyncRemoteLocalControl"),
    ASYNC_REMOTE_LOCAL_RESPONSE(11, "AsyncRemoteLocalResponse"),
    TRIGGER(12, "Trigger"),
    INTERRUPTED(13, "Interrupted"),
    ASYNC_INTERRUPTED(14, "AsyncInterrupted"),
    ASYNC_MAXIMUM_MESSAGE_SIZE(15, "AsyncMaximumMessageSize"),
    ASYNC_MAXIMUM_MESSAGE_SIZE_RESPONSE(16, "AsyncMaximumMessageSizeResponse"),
    ASYNC_INITIALIZE(17, "AsyncInitialize"),
    ASYNC_INITIALIZE_RESPONSE(18, "AsyncInitializeResponse"),
    ASYNC_DEVICE_CLEAR(19, "AsyncDeviceClear"),
    ASYNC_SERVICE_REQUEST(20, "AsyncServiceRequest"),
    ASYNC_STATUS_QUERY(21, "AsyncStatusQuery"),
    ASYNC_STATUS_RESPONSE(22, "AsyncStatusResponse"),
    ASYNC_DEVICE_CLEAR_ACKNOWLEDGE(23, "AsyncDeviceClearAcknowledge"),
    ASYNC_LOCK_INFO(24, "AsyncLockInfo"),
    ASYNC_LOCK_INFO_RESPONSE(25, "AsyncLockInfoResponse"),
    // HiSLIP 2.0
    GET_DESCRIPTORS(26, "GetDescriptors"),
    GET_DESCRIPTORS_RESPONSE(27, "GetDescriptorsResponse"),
    START_TLS(28, "StartTLS"),
    ASYNC_START_TLS(29, "AsyncStartTLS"),
    ASYNC_START_TLS_RESPONSE(30, "AsyncStartTLSResponse"),
    END_TLS(31, "EndTLS"),
    ASYNC_END_TLS(32, "AsyncEndTLS"),
    ASYNC_END_TLS_RESPONSE(33, "AsyncEndTLSResponse"),
    GET_SASL_MECHANISM_LIST(34, "GetSaslMechanismList"),
    GET_SASL_MECHANISM_LIST_RESPONSE(35, "GetSaslMechanismListResponse"),
    AUTHENTICATION_START(36, "AuthenticationStart"),
    AUTHENTICATION_EXCHANGE(37, "AuthenticationExchange"),
    AUTHENTICATION_RESULT(38, "AuthenticationResult"),
    /** Codes 39 to 127: reserved by IVI-6.1; a peer answers them with Error "Unrecognized Message Type". */
    RESERVED(-1, "Reserved"),
    /** Codes 128 to 255: vendor specific; a peer that does not know them answers Error code 3. */
    VENDOR_SPECIFIC(-2, "VendorSpecific");

    private static final MessageType[] BY_CODE = new MessageType[39];

    static {
        for (MessageType t : values()) {
            if (t.code >= 0) {
                BY_CODE[t.code] = t;
            }
        }
    }

    private final int code;
    private final String specName;

    MessageType(int code, String specName) {
        this.code = code;
        this.specName = specName;
    }

    /**
     * The message type byte; for {@link #RESERVED} and {@link #VENDOR_SPECIFIC}, which stand for ranges,
     * an {@link IllegalStateException}.
     */
    public int code() {
        if (code < 0) {
            throw new IllegalStateException(specName + " stands for a range of codes, not one");
        }
        return code;
    }

    /** The name IVI-6.1 gives the type, as in its message table: {@code "AsyncLockInfoResponse"}. */
    public String specName() {
        return specName;
    }

    /** The type of message type byte {@code code} (0 to 255); an {@link IllegalArgumentException} outside. */
    public static MessageType of(int code) {
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("a HiSLIP message type is one byte (0 to 255): " + code);
        }
        if (code < BY_CODE.length) {
            return BY_CODE[code];
        }
        return code < 128 ? RESERVED : VENDOR_SPECIFIC;
    }

    /** True for the types sent on the asynchronous channel (their spec names begin with "Async"). */
    public boolean asynchronous() {
        return specName.startsWith("Async");
    }
}
