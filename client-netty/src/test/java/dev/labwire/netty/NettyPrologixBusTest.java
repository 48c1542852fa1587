package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.bus.Prologix;
import dev.labwire.testsupport.clients.PrologixBusScenarios;
import dev.labwire.testsupport.clients.TestBus;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shared {@link PrologixBusScenarios} on a {@link NettyBus}, and calls to several addresses in flight at once. */
class NettyPrologixBusTest extends PrologixBusScenarios {
    NettyPrologixBusTest() {
        super(NettyClients.INSTANCE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "pty"})
    void severalAddressesInFlightAtOnce(String kind) {
        TestBus testBus = bus(kind);
        NettyBus bus = ((NettyClients.Bus) testBus).bus();
        NettyBusDevice dmm = bus.device(5);
        NettyBusDevice psu = bus.device(Prologix.address(7).number());
        // all at once: the bus takes them one exchange at a time, each to its own address
        CompletableFuture<String> idn = dmm.query("*IDN?");
        CompletableFuture<Void> set = psu.write("VOLT 1E+1");
        CompletableFuture<String> volt = psu.query("VOLT?");
        assertThat(idn.join()).isEqualTo("ACME,DMM,5");
        set.join();
        assertThat(volt.join()).isEqualTo("1E+1");
        assertThat(dmm.query("*IDN?").join()).isEqualTo("ACME,DMM,5");
        pollTriggerAndClear(testBus.device(7));
        assertThat(adapter.log()).filteredOn(l -> l.startsWith("++addr")).startsWith("++addr 5", "++addr 7")
                .endsWith("++addr 5", "++addr 7").hasSizeBetween(4, 5); // round-robin may serve 7's two calls apart
    }
}
