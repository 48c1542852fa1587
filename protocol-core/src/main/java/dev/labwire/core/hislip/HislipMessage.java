package dev.labwire.core.hislip;

import dev.labwire.core.RemoteProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One HiSLIP message (IVI-6.1 section 2.4, message format), immutable. On the wire every message is a 16-byte
 * header and a payload, all big-endian:
 *
 * <pre>
 *  offset  0    1    2      3       4..7                 8..15                   16..
 *        +----+----+------+-------+--------------------+-----------------------+---------+
 *        | 'H'| 'S'| type | ctrl  | message parameter  | payload length        | payload |
 *        | 48 | 53 | 1 B  | 1 B   | 4 bytes            | 8 bytes (unsigned)    |         |
 *        +----+----+------+-------+--------------------+-----------------------+---------+
 *  DataEnd, RMT delivered, message id 0xFFFFFF00, payload "*IDN?\n":
 *        48 53 07 01 FF FF FF 00 00 00 00 00 00 00 00 06 2A 49 44 4E 3F 0A
 * </pre>
 *
 * <p>The static factories build every message of HiSLIP 1.0 in both directions, each documenting what its control
 * code and parameter mean; {@link #of} builds any other (HiSLIP 2.0, vendor specific). {@link #encode()} gives the
 * bytes; {@link HislipDecoder} turns bytes back into messages. Arguments out of range (a control code above 255,
 * a vendor id that is not two ASCII characters) fail with an {@link IllegalArgumentException} naming the value.
 *
 * @param typeCode    the message type byte (0 to 255); see {@link #type()}
 * @param controlCode the control code byte (0 to 255)
 * @param parameter   the 32-bit message parameter (unsigned on the wire; {@link #parameterUnsigned()})
 * @param payload     the payload (copied in and out)
 */
public record HislipMessage(int typeCode, int controlCode, int parameter, byte[] payload) {

    /** The bytes of the header: prologue, type, control code, parameter, payload length. */
    public static final int HEADER_LENGTH = 16;
    /** The TCP port IANA assigned to HiSLIP. */
    public static final int DEFAULT_PORT = 4880;
    /** The message id of the first message after Initialize and after a device clear (IVI-6.1 3.1.2). */
    public static final int INITIAL_MESSAGE_ID = 0xFFFF_FF00;
    /** The message id a server puts on data not sent in answer to any client message. */
    public static final int UNSOLICITED_MESSAGE_ID = 0xFFFF_FFFF;
    /** HiSLIP 1.0 as the 16-bit protocol version of Initialize/InitializeResponse (major 1, minor 0). */
    public static final int VERSION_1_0 = 0x0100;

    public HislipMessage {
        checkByte(typeCode, "message type");
        checkByte(controlCode, "control code");
        payload = Objects.requireNonNull(payload, "payload").clone();
    }

    /** A message of {@code type} with these fields; for HiSLIP 2.0 and any message without a factory here. */
    public static HislipMessage of(MessageType type, int controlCode, int parameter, byte[] payload) {
        return new HislipMessage(type.code(), controlCode, parameter, payload);
    }

    private static HislipMessage of(MessageType type, int controlCode, int parameter) {
        return new HislipMessage(type.code(), controlCode, parameter, new byte[0]);
    }

    // ---- client to server, synchronous channel ----

    /**
     * Initialize, the first message on the synchronous channel. Parameter: the client's protocol version (upper 16
     * bits, major then minor) and its two-character vendor id (lower 16 bits, first character high); payload: the
     * sub-address ({@code "hislip0"} for the first device of an instrument; at most 256 characters).
     */
    public static HislipMessage initialize(int protocolVersion, String vendorId, String subAddress) {
        checkShort(protocolVersion, "protocol version");
        byte[] sub = ascii(subAddress, "sub-address");
        if (sub.length > 256) {
            throw new IllegalArgumentException("a HiSLIP sub-address is at most 256 characters: " + sub.length);
        }
        return new HislipMessage(MessageType.INITIALIZE.code(), 0, protocolVersion << 16 | vendor(vendorId), sub);
    }

    /**
     * Data: part of a message to the device, more follows. Control code bit 0: RMT-delivered (the client has
     * received a whole response, DataEnd, since it last sent); parameter: the message id.
     */
    public static HislipMessage data(boolean rmtDelivered, int messageId, byte[] payload) {
        return new HislipMessage(MessageType.DATA.code(), rmtDelivered ? 1 : 0, messageId, payload);
    }

    /** DataEnd: the last part of a message (it carries the END); fields as {@link #data}. */
    public static HislipMessage dataEnd(boolean rmtDelivered, int messageId, byte[] payload) {
        return new HislipMessage(MessageType.DATA_END.code(), rmtDelivered ? 1 : 0, messageId, payload);
    }

    /** Trigger (GPIB group execute trigger): control code RMT-delivered, parameter the message id. */
    public static HislipMessage trigger(boolean rmtDelivered, int messageId) {
        return of(MessageType.TRIGGER, rmtDelivered ? 1 : 0, messageId);
    }

    /** DeviceClearComplete: the client's feature preference (control code bit 0: prefer overlapped mode). */
    public static HislipMessage deviceClearComplete(boolean preferOverlap) {
        return of(MessageType.DEVICE_CLEAR_COMPLETE, preferOverlap ? 1 : 0, 0);
    }

    // ---- client to server, asynchronous channel ----

    /** AsyncInitialize, the first message on the asynchronous channel: parameter the session id (lower 16 bits). */
    public static HislipMessage asyncInitialize(int sessionId) {
        checkShort(sessionId, "session id");
        return of(MessageType.ASYNC_INITIALIZE, 0, sessionId);
    }

    /** AsyncMaximumMessageSize: payload the largest message (header included) the client accepts, 8 bytes. */
    public static HislipMessage asyncMaximumMessageSize(long size) {
        return new HislipMessage(MessageType.ASYNC_MAXIMUM_MESSAGE_SIZE.code(), 0, 0, u64(size));
    }

    /**
     * AsyncLock request (control code 1): parameter the time in milliseconds the server may wait for the lock (0:
     * only if free now); payload the lock string: empty asks for the exclusive lock, any other the shared lock of
     * that name (at most 256 characters).
     */
    public static HislipMessage asyncLockRequest(int timeoutMillis, String sharedLockName) {
        byte[] name = ascii(sharedLockName, "shared lock name");
        if (name.length > 256) {
            throw new IllegalArgumentException("a HiSLIP lock string is at most 256 characters: " + name.length);
        }
        return new HislipMessage(MessageType.ASYNC_LOCK.code(), 1, timeoutMillis, name);
    }

    /** AsyncLock release (control code 0): parameter the id of the last message sent on the synchronous channel. */
    public static HislipMessage asyncLockRelease(int lastMessageId) {
        return of(MessageType.ASYNC_LOCK, 0, lastMessageId);
    }

    /** AsyncLockInfo: asks whether the exclusive lock is granted and how many clients hold locks. */
    public static HislipMessage asyncLockInfo() {
        return of(MessageType.ASYNC_LOCK_INFO, 0, 0);
    }

    /** AsyncRemoteLocalControl: control code the request, parameter the id of the last message sent. */
    public static HislipMessage asyncRemoteLocalControl(RemoteLocal request, int lastMessageId) {
        return of(MessageType.ASYNC_REMOTE_LOCAL_CONTROL, request.code(), lastMessageId);
    }

    /** AsyncDeviceClear: starts the device clear transaction (IVI-6.1 section 6.12). */
    public static HislipMessage asyncDeviceClear() {
        return of(MessageType.ASYNC_DEVICE_CLEAR, 0, 0);
    }

    /**
     * AsyncStatusQuery (the VISA {@code viReadSTB}): control code RMT-delivered, parameter the id of the last
     * message sent on the synchronous channel.
     */
    public static HislipMessage asyncStatusQuery(boolean rmtDelivered, int lastMessageId) {
        return of(MessageType.ASYNC_STATUS_QUERY, rmtDelivered ? 1 : 0, lastMessageId);
    }

    // ---- server to client ----

    /**
     * InitializeResponse: control code bit 0 the server's mode (1 overlapped, 0 synchronized); parameter the server's
     * protocol version (upper 16 bits) and the session id it assigned (lower 16 bits).
     */
    public static HislipMessage initializeResponse(boolean overlapped, int protocolVersion, int sessionId) {
        checkShort(protocolVersion, "protocol version");
        checkShort(sessionId, "session id");
        return of(MessageType.INITIALIZE_RESPONSE, overlapped ? 1 : 0, protocolVersion << 16 | sessionId);
    }

    /** AsyncInitializeResponse: parameter the server's two-character vendor id (lower 16 bits). */
    public static HislipMessage asyncInitializeResponse(String serverVendorId) {
        return of(MessageType.ASYNC_INITIALIZE_RESPONSE, 0, vendor(serverVendorId));
    }

    /** AsyncMaximumMessageSizeResponse: payload the largest message the server accepts, 8 bytes. */
    public static HislipMessage asyncMaximumMessageSizeResponse(long size) {
        return new HislipMessage(MessageType.ASYNC_MAXIMUM_MESSAGE_SIZE_RESPONSE.code(), 0, 0, u64(size));
    }

    /** FatalError with the spec's wording of {@code code} as its payload. */
    public static HislipMessage fatalError(FatalErrorCode code) {
        return fatalError(code.code(), code.text());
    }

    /** FatalError: control code the error code, payload a human-readable ASCII text. */
    public static HislipMessage fatalError(int code, String text) {
        return new HislipMessage(MessageType.FATAL_ERROR.code(), code, 0, ascii(text, "error text"));
    }

    /** Error with the spec's wording of {@code code} as its payload. */
    public static HislipMessage error(ErrorCode code) {
        return error(code.code(), code.text());
    }

    /** Error: control code the error code, payload a human-readable ASCII text. */
    public static HislipMessage error(int code, String text) {
        return new HislipMessage(MessageType.ERROR.code(), code, 0, ascii(text, "error text"));
    }

    /** AsyncLockResponse: control code the result. */
    public static HislipMessage asyncLockResponse(LockResult result) {
        return of(MessageType.ASYNC_LOCK_RESPONSE, result.code(), 0);
    }

    /**
     * AsyncLockInfoResponse: control code 1 when some client holds the exclusive lock; parameter the number of
     * clients holding the exclusive or a shared lock.
     */
    public static HislipMessage asyncLockInfoResponse(boolean exclusiveGranted, int lockHolders) {
        return of(MessageType.ASYNC_LOCK_INFO_RESPONSE, exclusiveGranted ? 1 : 0, lockHolders);
    }

    /** AsyncRemoteLocalResponse: the remote/local request was carried out. */
    public static HislipMessage asyncRemoteLocalResponse() {
        return of(MessageType.ASYNC_REMOTE_LOCAL_RESPONSE, 0, 0);
    }

    /** AsyncDeviceClearAcknowledge: control code the server's feature preference (bit 0: overlapped). */
    public static HislipMessage asyncDeviceClearAcknowledge(boolean preferOverlap) {
        return of(MessageType.ASYNC_DEVICE_CLEAR_ACKNOWLEDGE, preferOverlap ? 1 : 0, 0);
    }

    /** DeviceClearAcknowledge: control code the mode agreed for the session (bit 0: overlapped). */
    public static HislipMessage deviceClearAcknowledge(boolean overlapped) {
        return of(MessageType.DEVICE_CLEAR_ACKNOWLEDGE, overlapped ? 1 : 0, 0);
    }

    /** AsyncStatusResponse: control code the status byte (IEEE 488.2 STB, MAV as the server sees it). */
    public static HislipMessage asyncStatusResponse(int statusByte) {
        return of(MessageType.ASYNC_STATUS_RESPONSE, statusByte, 0);
    }

    /** AsyncServiceRequest: the device requests service; control code the status byte. */
    public static HislipMessage asyncServiceRequest(int statusByte) {
        return of(MessageType.ASYNC_SERVICE_REQUEST, statusByte, 0);
    }

    /** Interrupted (synchronous channel): a response was abandoned; parameter the id of the new message. */
    public static HislipMessage interrupted(int messageId) {
        return of(MessageType.INTERRUPTED, 0, messageId);
    }

    /** AsyncInterrupted (asynchronous channel): as {@link #interrupted}. */
    public static HislipMessage asyncInterrupted(int messageId) {
        return of(MessageType.ASYNC_INTERRUPTED, 0, messageId);
    }

    // ---- reading ----

    /** The type; {@link MessageType#RESERVED} or {@link MessageType#VENDOR_SPECIFIC} for unassigned codes. */
    public MessageType type() {
        return MessageType.of(typeCode);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload length. */
    public int payloadLength() {
        return payload.length;
    }

    /** The payload as ISO-8859-1 text (error texts, sub-address, lock string). */
    public String text() {
        return new String(payload, StandardCharsets.ISO_8859_1);
    }

    /** The parameter as an unsigned number. */
    public long parameterUnsigned() {
        return Integer.toUnsignedLong(parameter);
    }

    /** The parameter read as a message id (Data, DataEnd, Trigger, Interrupted, AsyncStatusQuery, ...). */
    public int messageId() {
        return parameter;
    }

    /** Control code bit 0: RMT-delivered on Data/DataEnd/Trigger/AsyncStatusQuery; overlapped on the mode messages. */
    public boolean flag() {
        return (controlCode & 1) != 0;
    }

    /** Upper 16 bits of the parameter: the protocol version of Initialize and InitializeResponse. */
    public int protocolVersion() {
        return parameter >>> 16;
    }

    /** Lower 16 bits of the parameter: the session id of InitializeResponse and AsyncInitialize. */
    public int sessionId() {
        return parameter & 0xFFFF;
    }

    /** Lower 16 bits of the parameter as two characters: the vendor id of Initialize/AsyncInitializeResponse. */
    public String vendorId() {
        return new String(new char[] {(char) (parameter >>> 8 & 0xFF), (char) (parameter & 0xFF)});
    }

    /**
     * The 8-byte payload of AsyncMaximumMessageSize(Response) as a size; a {@link RemoteProtocolException} when the
     * payload is not 8 bytes or the size does not fit a signed long (then {@link Long#MAX_VALUE} would be meant: it
     * is returned as such).
     */
    public long maximumMessageSize() {
        if (payload.length != 8) {
            throw new RemoteProtocolException(MessageType.of(typeCode).specName()
                    + " must carry an 8-byte size, not " + payload.length + " bytes");
        }
        long v = ByteBuffer.wrap(payload).getLong();
        return v < 0 ? Long.MAX_VALUE : v;
    }

    /** The encoded length: header plus payload. */
    public int encodedLength() {
        return HEADER_LENGTH + payload.length;
    }

    /** The message as bytes: the 16-byte header then the payload. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(encodedLength());
        encodeTo(b);
        return b.array();
    }

    /** Writes the message into {@code out}; a {@link java.nio.BufferOverflowException} when it does not fit. */
    public void encodeTo(ByteBuffer out) {
        out.put((byte) 'H').put((byte) 'S').put((byte) typeCode).put((byte) controlCode)
                .putInt(parameter).putLong(payload.length).put(payload);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HislipMessage m && m.typeCode == typeCode && m.controlCode == controlCode
                && m.parameter == parameter && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((typeCode * 31 + controlCode) * 31 + parameter) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(MessageType.of(typeCode).specName());
        s.append('(').append(typeCode).append(") ctrl=").append(controlCode)
                .append(" param=0x").append(Integer.toHexString(parameter)).append(" len=").append(payload.length);
        if (payload.length > 0) {
            s.append(' ').append(dev.labwire.core.frame.Printable.quoted(payload, 0, payload.length, 40));
        }
        return s.toString();
    }

    // ---- helpers ----

    private static void checkByte(int v, String what) {
        if (v < 0 || v > 255) {
            throw new IllegalArgumentException("a HiSLIP " + what + " is one byte (0 to 255): " + v);
        }
    }

    private static void checkShort(int v, String what) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException("a HiSLIP " + what + " is 16 bits (0 to 65535): " + v);
        }
    }

    private static int vendor(String id) {
        Objects.requireNonNull(id, "vendor id");
        if (id.length() != 2 || id.charAt(0) > 0x7F || id.charAt(1) > 0x7F) {
            throw new IllegalArgumentException("a HiSLIP vendor id is two ASCII characters: \"" + id + "\"");
        }
        return id.charAt(0) << 8 | id.charAt(1);
    }

    private static byte[] ascii(String s, String what) {
        Objects.requireNonNull(s, what);
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7F) {
                throw new IllegalArgumentException("a HiSLIP " + what + " is ASCII; character " + i + " of \""
                        + s + "\" is not");
            }
        }
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] u64(long size) {
        if (size < HEADER_LENGTH) {
            throw new IllegalArgumentException("a HiSLIP maximum message size counts the 16-byte header: " + size);
        }
        return ByteBuffer.allocate(8).putLong(size).array();
    }
}
