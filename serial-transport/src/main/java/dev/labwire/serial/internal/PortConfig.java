package dev.labwire.serial.internal;

import com.fazecast.jSerialComm.SerialPort;
import dev.labwire.core.endpoint.FlowControl;
import dev.labwire.core.endpoint.Parity;
import dev.labwire.core.endpoint.Rs485;
import dev.labwire.core.endpoint.RtsPolarity;
import dev.labwire.core.endpoint.SerialSettings;
import dev.labwire.core.endpoint.StopBits;

/** {@link SerialSettings} in jSerialComm's integer constants. */
public final class PortConfig {

    /**
     * The OS read wait: reads return after at most this long with whatever arrived (possibly nothing). POSIX
     * counts it in tenths of a second ({@code VTIME}), so 100 ms is the smallest non-zero wait.
     */
    public static final int READ_WAIT_MILLIS = 100;

    /**
     * Write timeout handed to jSerialComm. Windows honours it; on POSIX jSerialComm writes on a blocking
     * descriptor and ignores it, so {@code SerialLink.write} also bounds how long it tolerates writes that
     * make no progress.
     */
    public static final int WRITE_TIMEOUT_MILLIS = 5_000;

    private PortConfig() {}

    /**
     * Puts the settings on a not-yet-open jSerialComm port; {@code openPort()} applies them all at once.
     *
     * @return false if jSerialComm rejected one (it only stores values while the port is closed)
     */
    public static boolean apply(SerialPort port, SerialSettings s) {
        boolean ok = port.setComPortParameters(s.baudRate(), s.dataBits().bits(), stopBits(s.stopBits()),
                parity(s.parity()));
        ok &= port.setFlowControl(flowControl(s.flowControl()));
        ok &= port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING,
                READ_WAIT_MILLIS, WRITE_TIMEOUT_MILLIS);
        Rs485 rs = s.rs485();
        if (rs.isEnabled()) {
            ok &= port.setRs485ModeParameters(true, rs.rtsActive() == RtsPolarity.HIGH,
                    micros(rs.delayBefore().toNanos()), micros(rs.delayAfter().toNanos()));
        }
        return ok;
    }

    static int micros(long nanos) {
        return (int) (nanos / 1000);
    }

    public static int parity(Parity p) {
        return switch (p) {
            case NONE -> SerialPort.NO_PARITY;
            case ODD -> SerialPort.ODD_PARITY;
            case EVEN -> SerialPort.EVEN_PARITY;
            case MARK -> SerialPort.MARK_PARITY;
            case SPACE -> SerialPort.SPACE_PARITY;
        };
    }

    public static int stopBits(StopBits s) {
        return switch (s) {
            case ONE -> SerialPort.ONE_STOP_BIT;
            case ONE_POINT_FIVE -> SerialPort.ONE_POINT_FIVE_STOP_BITS;
            case TWO -> SerialPort.TWO_STOP_BITS;
        };
    }

    public static int flowControl(FlowControl f) {
        return switch (f) {
            case NONE -> SerialPort.FLOW_CONTROL_DISABLED;
            case RTS_CTS -> SerialPort.FLOW_CONTROL_RTS_ENABLED | SerialPort.FLOW_CONTROL_CTS_ENABLED;
            case XON_XOFF -> SerialPort.FLOW_CONTROL_XONXOFF_IN_ENABLED | SerialPort.FLOW_CONTROL_XONXOFF_OUT_ENABLED;
        };
    }
}
