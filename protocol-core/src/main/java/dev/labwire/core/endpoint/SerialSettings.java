package dev.labwire.core.endpoint;

import java.util.Objects;

/**
 * How a serial port is configured: an immutable record of a number and enums, built with {@link #builder()}.
 *
 * <pre>{@code
 * SerialSettings s = SerialSettings.builder().baudRate(115200).parity(Parity.EVEN).build();
 * SerialSettings d = SerialSettings.DEFAULT;   // 9600 8N1, no flow control, RS485 off
 * }</pre>
 *
 * <p>Any positive baud rate is accepted here; whether the driver can do it is known only at
 * {@code SerialLink.open} (labwire-serial-transport), which fails with {@code SerialPortException.Reason.UNSUPPORTED_SETTINGS} if not. On
 * Linux non-standard rates go through {@code termios2}/{@code BOTHER}.
 *
 * @param baudRate    bits per second, greater than zero; default 9600
 * @param dataBits    data bits per character; default {@link DataBits#EIGHT}
 * @param parity      parity bit; default {@link Parity#NONE}
 * @param stopBits    stop bits; default {@link StopBits#ONE}
 * @param flowControl flow control; default {@link FlowControl#NONE}
 * @param rs485       kernel RS485 mode; default {@link Rs485#DISABLED}
 */
public record SerialSettings(
        int baudRate, DataBits dataBits, Parity parity, StopBits stopBits, FlowControl flowControl, Rs485 rs485) {

    /** 9600 baud, 8 data bits, no parity, 1 stop bit, no flow control, RS485 off. */
    public static final SerialSettings DEFAULT = new SerialSettings(
            9600, DataBits.EIGHT, Parity.NONE, StopBits.ONE, FlowControl.NONE, Rs485.DISABLED);

    /** Validates every field; a bad value fails with an {@link IllegalArgumentException} naming it. */
    public SerialSettings {
        if (baudRate <= 0) {
            throw new IllegalArgumentException("baud rate " + baudRate + " is not positive");
        }
        Objects.requireNonNull(dataBits, "dataBits");
        Objects.requireNonNull(parity, "parity");
        Objects.requireNonNull(stopBits, "stopBits");
        Objects.requireNonNull(flowControl, "flowControl");
        Objects.requireNonNull(rs485, "rs485");
    }

    /** A builder starting from {@link #DEFAULT}. */
    public static Builder builder() {
        return new Builder(DEFAULT);
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Short form for logs, e.g. {@code 115200 8E1, flow NONE, RS485 off}. */
    @Override
    public String toString() {
        String stop = switch (stopBits) {
            case ONE -> "1";
            case ONE_POINT_FIVE -> "1.5";
            case TWO -> "2";
        };
        return baudRate + " " + dataBits.bits() + parity.name().charAt(0) + stop + ", flow " + flowControl + ", "
                + rs485;
    }

    /** Builds {@link SerialSettings}; every setter replaces one field, {@link #build()} validates. */
    public static final class Builder {
        private int baudRate;
        private DataBits dataBits;
        private Parity parity;
        private StopBits stopBits;
        private FlowControl flowControl;
        private Rs485 rs485;

        private Builder(SerialSettings from) {
            baudRate = from.baudRate;
            dataBits = from.dataBits;
            parity = from.parity;
            stopBits = from.stopBits;
            flowControl = from.flowControl;
            rs485 = from.rs485;
        }

        public Builder baudRate(int baudRate) {
            this.baudRate = baudRate;
            return this;
        }

        public Builder dataBits(DataBits dataBits) {
            this.dataBits = dataBits;
            return this;
        }

        public Builder parity(Parity parity) {
            this.parity = parity;
            return this;
        }

        public Builder stopBits(StopBits stopBits) {
            this.stopBits = stopBits;
            return this;
        }

        public Builder flowControl(FlowControl flowControl) {
            this.flowControl = flowControl;
            return this;
        }

        public Builder rs485(Rs485 rs485) {
            this.rs485 = rs485;
            return this;
        }

        /** @throws IllegalArgumentException naming the first bad value */
        public SerialSettings build() {
            return new SerialSettings(baudRate, dataBits, parity, stopBits, flowControl, rs485);
        }
    }
}
