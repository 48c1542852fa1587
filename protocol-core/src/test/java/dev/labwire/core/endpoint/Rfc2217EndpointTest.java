package dev.labwire.core.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.bus.Bus;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.internal.Sessions;
import dev.labwire.core.rfc2217.Rfc2217Session;
import org.junit.jupiter.api.Test;

class Rfc2217EndpointTest {

    @Test
    void parsesWithSerialOptionsAndFormatsCanonically() {
        Endpoint e = Endpoint.parse("RFC2217://ts.lab:7001?baud=19200&parity=even&data=7&stop=2&flow=xonxoff");
        assertThat(e).isEqualTo(new Endpoint.Rfc2217("ts.lab", 7001, SerialSettings.builder().baudRate(19200)
                .parity(Parity.EVEN).dataBits(DataBits.SEVEN).stopBits(StopBits.TWO).flowControl(FlowControl.XON_XOFF)
                .build()));
        assertThat(e.toString()).isEqualTo("rfc2217://ts.lab:7001?baud=19200&data=7&parity=even&stop=2&flow=xonxoff");
        assertThat(Endpoint.parse(e.toString())).isEqualTo(e);
        Endpoint v6 = Endpoint.parse("rfc2217://[::1]:2001");
        assertThat(v6).isEqualTo(new Endpoint.Rfc2217("::1", 2001, SerialSettings.DEFAULT));
        assertThat(v6.toString()).isEqualTo("rfc2217://[::1]:2001?baud=9600&data=8&parity=none&stop=1&flow=none");
    }

    @Test
    void badStringsNameTheBadPart() {
        assertThatThrownBy(() -> Endpoint.parse("rfc2217://ts.lab")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing port");
        assertThatThrownBy(() -> Endpoint.parse("rfc2217://ts.lab:70000")).hasMessageContaining("bad port '70000'");
        assertThatThrownBy(() -> Endpoint.parse("rfc2217://ts.lab:7001?baud=fast")).hasMessageContaining("'fast'");
        assertThatThrownBy(() -> Endpoint.parse("rfc2217://ts.lab:7001?rs485=on")).hasMessageContaining("RS485");
        assertThatThrownBy(() -> Endpoint.parse("rfc2217://ts.lab:7001/x")).hasMessageContaining("'/x'");
        assertThatThrownBy(() -> Endpoint.parse("rfc2217://:7001")).hasMessageContaining("missing host");
        assertThatThrownBy(() -> Endpoint.parse("nope://x")).hasMessageContaining("rfc2217://host:port");
    }

    @Test
    void sessionsWrapTheMachineAndOpenTcpToTheServer() {
        Endpoint.Rfc2217 e = (Endpoint.Rfc2217) Endpoint.parse("rfc2217://127.0.0.1:7001?baud=38400");
        assertThat(Sessions.create(e, ConnectionConfig.builder().build())).isInstanceOf(Rfc2217Session.class)
                .extracting(m -> ((Rfc2217Session) m).settings().baudRate()).isEqualTo(38400);
        assertThat(Sessions.linkEndpoint(e, 0)).isEqualTo(new Endpoint.Tcp("127.0.0.1", 7001));
        assertThat(Sessions.host(e)).isEqualTo("127.0.0.1");
        Bus bus = new Bus(BusConfig.DEFAULT);
        assertThat(Sessions.busMachine(e, bus)).isInstanceOf(Rfc2217Session.class);
        assertThat(Sessions.busMachine(new Endpoint.Tcp("h", 1), bus)).isSameAs(bus);
    }

    @Test
    void sessionOptionsComeFromTheEndpointString() {
        Endpoint.Rfc2217 e = (Endpoint.Rfc2217) Endpoint.parse("rfc2217://ts.lab:7001?ack_ms=2500&baud=19200&PURGE=off&dtr_rts=OFF");
        assertThat(e.options()).isEqualTo(new dev.labwire.core.rfc2217.Rfc2217Options(java.time.Duration.ofMillis(2500), false, false));
        assertThat(e.settings().baudRate()).isEqualTo(19200);
        assertThat(e.toString()).isEqualTo(
                "rfc2217://ts.lab:7001?baud=19200&data=8&parity=none&stop=1&flow=none&ack_ms=2500&purge=off&dtr_rts=off");
        assertThat(Endpoint.parse(e.toString())).isEqualTo(e);
        Endpoint.Rfc2217 onlyAck = (Endpoint.Rfc2217) Endpoint.parse("rfc2217://ts.lab:7001?ack_ms=3000");
        assertThat(onlyAck.options().ackTimeout()).isEqualTo(java.time.Duration.ofSeconds(3));
        assertThat(onlyAck.options().purgeOnConnect()).isTrue();
        assertThat(onlyAck.settings()).isEqualTo(SerialSettings.DEFAULT);
        assertThat(Endpoint.parse("rfc2217://ts.lab:7001")).isEqualTo(onlyAck.withOptions(dev.labwire.core.rfc2217.Rfc2217Options.DEFAULT));
        assertThat(((Rfc2217Session) Sessions.create(onlyAck, ConnectionConfig.builder().build())).options())
                .isEqualTo(onlyAck.options());
        assertThat(((Rfc2217Session) Sessions.busMachine(onlyAck, new Bus(BusConfig.DEFAULT))).options())
                .isEqualTo(onlyAck.options());
        assertThat(Sessions.withRfc2217Options(Endpoint.parse("rfc2217://ts.lab:7001"), onlyAck.options())).isEqualTo(onlyAck);
        assertThatThrownBy(() -> Sessions.withRfc2217Options(new Endpoint.Tcp("h", 1), onlyAck.options()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rfc2217://");
    }

    @Test
    void badSessionOptionsNameTheBadPart() {
        for (String bad : new String[] {"ack_ms=0", "ack_ms=60001", "ack_ms=1.5", "ack_ms=-3", "purge=yes", "dtr_rts="}) {
            assertThatThrownBy(() -> Endpoint.parse("rfc2217://ts.lab:7001?" + bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.substring(0, bad.indexOf('=')));
        }
        assertThatThrownBy(() -> Endpoint.parse("rfc2217://ts.lab:7001?purge=on&purge=off")).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> Endpoint.parse("rfc2217://ts.lab:7001?ack=5")).hasMessageContaining("unknown key 'ack'")
                .hasMessageContaining("ack_ms");
        assertThatThrownBy(() -> Endpoint.parse("serial:/dev/ttyS0?ack_ms=5")).hasMessageContaining("unknown key 'ack_ms'");
        assertThatThrownBy(() -> Endpoint.parse("rfc2217://ts.lab:7001?ack_ms=5&")).hasMessageContaining("stray");
    }
}
