package dev.labwire.serial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.serial.SerialPortException.Reason;
import dev.labwire.serial.internal.NativeErrors;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class SerialPortExceptionTest {

    @Test
    void messageNamesPortReasonAndCode() {
        SerialPortException e = new SerialPortException("/dev/ttyUSB0", Reason.BUSY, 11, "cannot open: port is busy");
        assertThat(e).isInstanceOf(IOException.class);
        assertThat(e.port()).isEqualTo("/dev/ttyUSB0");
        assertThat(e.reason()).isEqualTo(Reason.BUSY);
        assertThat(e.nativeErrorCode()).isEqualTo(11);
        assertThat(e.getMessage()).startsWith("/dev/ttyUSB0: cannot open: port is busy (reason BUSY, native error 11");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void permissionDeniedCarriesTheDialoutHint() {
        SerialPortException e = new SerialPortException("/dev/ttyUSB0", Reason.PERMISSION_DENIED, 13,
                "cannot open: permission denied");
        assertThat(e.getMessage()).isEqualTo("/dev/ttyUSB0: cannot open: permission denied (reason "
                + "PERMISSION_DENIED, native error 13 EACCES); add the user to the dialout group "
                + "(sudo usermod -aG dialout $USER, then log in again)");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void errnoMapsToReasons() {
        assertThat(NativeErrors.reasonForOpen(2)).isEqualTo(Reason.NOT_FOUND);
        assertThat(NativeErrors.reasonForOpen(13)).isEqualTo(Reason.PERMISSION_DENIED);
        assertThat(NativeErrors.reasonForOpen(1)).isEqualTo(Reason.PERMISSION_DENIED);
        assertThat(NativeErrors.reasonForOpen(16)).isEqualTo(Reason.BUSY);
        assertThat(NativeErrors.reasonForOpen(11)).isEqualTo(Reason.BUSY);
        assertThat(NativeErrors.reasonForOpen(22)).isEqualTo(Reason.UNSUPPORTED_SETTINGS);
        assertThat(NativeErrors.reasonForOpen(5)).isEqualTo(Reason.OTHER);
    }
}
