package dev.labwire.core.scpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.scpi.ScpiError.ErrorClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScpiErrorTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "-113,\"Undefined header\"|-113|Undefined header",
        "0,\"No error\"|0|No error",
        "+0,\"No error\"|0|No error",
        "-222,\"Data out of range;VOLT 50\"|-222|Data out of range;VOLT 50",
        "-100,Command error|-100|Command error",
        "  -100 ,  \"Command error\"  |-100|Command error",
        "-100,\"Command error|-100|Command error",
        "-100,Command error\"|-100|Command error",
        "201,\"Say \"\"hi\"\"\"|201|Say \"hi\"",
        "-350,\"Queue overflow\"<CRLF>|-350|Queue overflow",
        "5,|5|``",
        "5,\"|5|``",
        "5,\"\"|5|``"})
    void parse(String reply, int code, String message) {
        ScpiError e = ScpiError.parse(reply.replace("<CRLF>", "\r\n"));
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.message()).isEqualTo(message);
    }

    @Test
    void parseKeepsAMultiLineMessage() {
        assertThat(ScpiError.parse("-300,\"a\nb\"\n").message()).isEqualTo("a\nb");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "No error", "0", "-113 \"Undefined header\"", "x,\"y\"", ",\"No error\"",
        "1.5,\"x\"", "- 1,\"x\""})
    void parseRefusesQuotingTheReply(String reply) {
        assertThatThrownBy(() -> ScpiError.parse(reply))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessage("not a SCPI error queue answer (<code>,\"<message>\"): " + Text.quoted(reply));
    }

    @Test
    void parseRefusesACodeBeyondInt() {
        assertThatThrownBy(() -> ScpiError.parse("99999999999,\"x\""))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessage("error code out of int range in \"99999999999,\\\"x\\\"\"");
    }

    @Test
    void isNoError() {
        assertThat(ScpiError.parse("+0,\"No error\"").isNoError()).isTrue();
        assertThat(ScpiError.parse("-113,\"Undefined header\"").isNoError()).isFalse();
    }

    @Test
    void toStringIsTheWireForm() {
        assertThat(ScpiError.parse("-113,\"Undefined header\"")).hasToString("-113,\"Undefined header\"");
        assertThat(ScpiError.parse("+0,No error")).hasToString("0,\"No error\"");
        assertThat(new ScpiError(201, "Say \"hi\"")).hasToString("201,\"Say \"\"hi\"\"\"");
        ScpiError back = ScpiError.parse(new ScpiError(201, "Say \"hi\"").toString());
        assertThat(back).isEqualTo(new ScpiError(201, "Say \"hi\""));
    }

    @Test
    void messageIsRequired() {
        assertThatThrownBy(() -> new ScpiError(1, null)).isInstanceOf(NullPointerException.class).hasMessage("message");
    }

    @ParameterizedTest
    @CsvSource({
        "0, NONE",
        "-100, COMMAND", "-199, COMMAND",
        "-200, EXECUTION", "-299, EXECUTION",
        "-300, DEVICE_SPECIFIC", "-350, DEVICE_SPECIFIC", "-399, DEVICE_SPECIFIC",
        "-400, QUERY", "-499, QUERY",
        "-500, POWER_ON", "-599, POWER_ON",
        "-600, USER_REQUEST", "-699, USER_REQUEST",
        "-700, REQUEST_CONTROL", "-799, REQUEST_CONTROL",
        "-800, OPERATION_COMPLETE", "-899, OPERATION_COMPLETE",
        "1, DEVICE_DEFINED", "2147483647, DEVICE_DEFINED",
        "-1, RESERVED", "-99, RESERVED", "-900, RESERVED", "-2147483648, RESERVED"})
    void classify(int code, ErrorClass expected) {
        assertThat(new ScpiError(code, "x").classify()).isEqualTo(expected);
    }
}
