package dev.labwire.discovery.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.discovery.FoundInstrument;
import dev.labwire.discovery.Source;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServiceMappingTest {

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void eachServiceTypeGivesTheEndpointItsProtocolOpens() throws Exception {
        List<InetAddress> a = List.of(ip("192.168.1.50"));
        assertThat(ServiceMapping.map("_scpi-raw._tcp.local.", "PSU", "psu.local.", 5025, a, Map.of()).get().endpoint())
                .isEqualTo("tcp://192.168.1.50:5025");
        assertThat(ServiceMapping.map("_hislip._tcp.local.", "PSU", null, 4881, a, Map.of()).get().endpoint())
                .isEqualTo("hislip://192.168.1.50:4881/hislip0");
        assertThat(ServiceMapping.map("_vxi-11._tcp", "PSU", null, 111, a, Map.of()).get().endpoint())
                .isEqualTo("vxi11://192.168.1.50:111/inst0");
        FoundInstrument lxi = ServiceMapping.map("_LXI._tcp.local.", "Scope", "s.local.", 80, a, Map.of()).get();
        assertThat(lxi.endpoint()).isEqualTo("vxi11://192.168.1.50:111/inst0");
        assertThat(lxi.via()).isEqualTo("_lxi._tcp \"Scope\" on s.local. (LXI web page http://192.168.1.50:80/; "
                + "VXI-11 assumed)");
        assertThat(lxi.source()).isEqualTo(Source.MDNS);
        assertThat(lxi.host()).contains("s.local.");
        for (String t : List.of("_scpi-raw._tcp", "_hislip._tcp", "_vxi-11._tcp", "_lxi._tcp")) {
            String e = ServiceMapping.map(t, "x", null, 5025, a, Map.of()).get().endpoint();
            assertThat(Endpoint.parse(e).toString()).isEqualTo(e); // canonical, pasteable
        }
    }

    @Test
    void unknownTypesNoAddressOrNoPortGiveNothing() throws Exception {
        assertThat(ServiceMapping.map("_http._tcp", "x", null, 80, List.of(ip("10.0.0.1")), Map.of())).isEmpty();
        assertThat(ServiceMapping.map("_scpi-raw._tcp", "x", null, 5025, List.of(), Map.of())).isEmpty();
        assertThat(ServiceMapping.map("_scpi-raw._tcp", "x", null, 0, List.of(ip("10.0.0.1")), Map.of())).isEmpty();
        // HiSLIP and VXI-11 know their default ports
        assertThat(ServiceMapping.map("_hislip._tcp", "x", null, 0, List.of(ip("10.0.0.1")), Map.of()).get()
                .endpoint()).isEqualTo("hislip://10.0.0.1:4880/hislip0");
    }

    @Test
    void ipv4IsPreferredThenGlobalIpv6ThenLinkLocalWithItsScope() throws Exception {
        InetAddress v4ll = ip("169.254.3.4");
        InetAddress v4 = ip("10.1.2.3");
        InetAddress v6 = ip("2001:db8::5");
        assertThat(ServiceMapping.map("_scpi-raw._tcp", "x", null, 5025, List.of(v6, v4ll, v4), Map.of()).get()
                .endpoint()).isEqualTo("tcp://10.1.2.3:5025");
        assertThat(ServiceMapping.map("_scpi-raw._tcp", "x", null, 5025, List.of(v6, v4ll), Map.of()).get()
                .endpoint()).isEqualTo("tcp://169.254.3.4:5025");
        assertThat(ServiceMapping.map("_scpi-raw._tcp", "x", null, 5025, List.of(v6), Map.of()).get().endpoint())
                .isEqualTo("tcp://[2001:db8::5]:5025");
        assertThat(ServiceMapping.map("_scpi-raw._tcp", "x", null, 5025, List.of(ip("::1")), Map.of()).get()
                .endpoint()).isEqualTo("tcp://[::1]:5025");
        // a link-local address keeps its scope: numeric, or the interface's name when Java knows it
        InetAddress numeric = Inet6Address.getByAddress(null, ip("fe80::1").getAddress(), 3);
        String e = ServiceMapping.map("_scpi-raw._tcp", "x", null, 5025, List.of(numeric), Map.of()).get().endpoint();
        assertThat(e).isEqualTo("tcp://[fe80::1%3]:5025");
        assertThat(Endpoint.parse(e)).isEqualTo(new Endpoint.Tcp("fe80::1%3", 5025));
        for (NetworkInterface ni : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : java.util.Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet6Address && a.isLinkLocalAddress()) {
                    InetAddress named = Inet6Address.getByAddress(null, ip("fe80::1").getAddress(), ni);
                    assertThat(ServiceMapping.map("_scpi-raw._tcp", "x", null, 5025, List.of(named), Map.of()).get()
                            .endpoint()).isEqualTo("tcp://[fe80::1%" + ni.getName() + "]:5025");
                }
            }
        }
    }

    @Test
    void lxiTxtKeysAreReadWhateverTheirCase() throws Exception {
        FoundInstrument f = ServiceMapping.map("_scpi-raw._tcp", "x", null, 5025, List.of(ip("10.0.0.1")),
                Map.of("manufacturer", "ACME", "MODEL", "PSU-1", "SerialNumber", " SN9 ", "FirmwareVersion", "",
                        "txtvers", "1")).get();
        assertThat(f.manufacturer()).contains("ACME");
        assertThat(f.model()).contains("PSU-1");
        assertThat(f.serialNumber()).contains("SN9");
        assertThat(f.firmware()).isEmpty();
        assertThat(f.properties()).containsEntry("txtvers", "1").hasSize(5);
    }

    @Test
    void identityFillsWhatTheAnnouncementLeftOut() throws Exception {
        FoundInstrument f = ServiceMapping.map("_scpi-raw._tcp", "x", null, 5025, List.of(ip("10.0.0.1")),
                Map.of("Model", "Announced")).get();
        FoundInstrument id = f.withIdentity("ACME,Real,SN7,2.1");
        assertThat(id.model()).contains("Announced");
        assertThat(id.manufacturer()).contains("ACME");
        assertThat(id.serialNumber()).contains("SN7");
        assertThat(id.firmware()).contains("2.1");
        assertThat(id.identity()).contains("ACME,Real,SN7,2.1");
        assertThat(f.withIdentity("ACME,M,0,1").serialNumber()).isEmpty(); // IEEE 488.2: 0 when none
        assertThat(f.withIdentifyError("refused").identifyError()).isEqualTo(Optional.of("refused"));
    }
}
