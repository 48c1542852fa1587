package dev.labwire.mock.junit;

import dev.labwire.mock.MockDevice;
import dev.labwire.mock.MockInstrument;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives each test a fresh {@link MockInstrument}, made before the test's
 * {@code @BeforeEach} methods and closed after its {@code @AfterEach} methods, pass or fail. The mock is a test or
 * {@code @BeforeEach} method parameter of type {@code MockInstrument}, and {@link #mock()} / {@link #endpoint()}
 * while the test runs.
 *
 * <pre>{@code
 * class PowerSupplyTest {
 *     @RegisterExtension
 *     final MockInstrumentExtension psu = MockInstrumentExtension.tcp().device(Path.of("src/test/resources/psu.yaml"));
 *
 *     @Test
 *     void setsTheVoltage(MockInstrument mock) {
 *         try (BlockingClient client = BlockingClient.open(mock.endpoint())) {
 *             client.write("VOLT 5");
 *             assertEquals("5.000", client.query("VOLT?"));
 *         }
 *     }
 * }
 * }</pre>
 *
 * Defaults: loopback TCP on a free port, no SCPI dictionary, no device ({@code @ExtendWith(MockInstrumentExtension.class)}
 * gives exactly that). {@link #pty()} serves a pty pair instead and <em>skips</em> (aborts) the test when
 * {@code socat} is not installed. The settings ({@link #scpi()}, {@link #device}, {@link #configure}) apply to each new
 * mock; make them where the extension is registered. A device file is read once, on the first test, and a bad one
 * fails each test with its {@link dev.labwire.mock.MockDeviceException}.
 *
 * <p>Registered on a static field the extension still gives each test its own mock. With more than one registered,
 * a {@code MockInstrument} parameter is ambiguous (JUnit refuses it): use each extension's {@link #mock()}. With
 * parallel test methods on one static extension, take the mock as a parameter ({@link #mock()} is the latest one made).
 *
 * <p>JUnit 5 is an optional dependency of {@code labwire-instrument-mock}: tests that use this class have it anyway.
 */
@SuppressWarnings("exports") // JUnit is a static (optional) requirement: its users have it
public final class MockInstrumentExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(MockInstrumentExtension.class);

    private final boolean pty;
    private final List<Consumer<MockInstrument>> setup = new ArrayList<>();
    private Path deviceFile;
    private volatile MockDevice device;
    private volatile MockInstrument current;

    /** A TCP mock for each test, plain (as {@link #tcp()}); for {@code @ExtendWith(MockInstrumentExtension.class)}. */
    public MockInstrumentExtension() {
        this(false);
    }

    private MockInstrumentExtension(boolean pty) {
        this.pty = pty;
    }

    /** Each test gets a mock on loopback TCP, on a free port. */
    public static MockInstrumentExtension tcp() {
        return new MockInstrumentExtension(false);
    }

    /**
     * Each test gets a mock behind a pty pair (endpoint {@code serial:<path>}); a test is skipped, as by a failed
     * assumption, when {@code socat} is not installed.
     */
    public static MockInstrumentExtension pty() {
        return new MockInstrumentExtension(true);
    }

    /** Turns each mock's {@link MockInstrument#scpi() SCPI dictionary} on; returns this. */
    public MockInstrumentExtension scpi() {
        return configure(MockInstrument::scpi);
    }

    /** Each mock serves {@code device} ({@link MockInstrument#device(MockDevice)}); returns this. */
    public MockInstrumentExtension device(MockDevice device) {
        Objects.requireNonNull(device, "device");
        this.device = device;
        this.deviceFile = null;
        return this;
    }

    /**
     * Each mock serves the device file {@code file} ({@link MockDevice#load(Path)}), read when the first test
     * starts; returns this.
     */
    public MockInstrumentExtension device(Path file) {
        this.deviceFile = Objects.requireNonNull(file, "file");
        this.device = null;
        return this;
    }

    /**
     * Runs {@code step} on each new mock, after the device is loaded and before the test: replies to enqueue, a
     * responder, a reply terminator. Steps run in the order given; returns this.
     */
    public MockInstrumentExtension configure(Consumer<MockInstrument> step) {
        setup.add(Objects.requireNonNull(step, "step"));
        return this;
    }

    /**
     * The running test's mock.
     *
     * @throws IllegalStateException outside a test (before its {@code @BeforeEach} or after its {@code @AfterEach})
     */
    public MockInstrument mock() {
        MockInstrument m = current;
        if (m == null) {
            throw new IllegalStateException("no mock instrument: MockInstrumentExtension makes one per test, "
                    + "from before @BeforeEach to after @AfterEach");
        }
        return m;
    }

    /** The running test's mock's endpoint, as {@code mock().endpoint()}. */
    public String endpoint() {
        return mock().endpoint();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        current = mockFor(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Holder h = context.getStore(NAMESPACE).remove(this, Holder.class);
        if (h != null) {
            if (current == h.mock) {
                current = null;
            }
            h.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == MockInstrument.class
                && parameter.getDeclaringExecutable() instanceof Method;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            throw new ParameterResolutionException("a MockInstrument parameter is for test and @BeforeEach/@AfterEach"
                    + " methods; " + parameter.getDeclaringExecutable().getName() + " is neither");
        }
        return mockFor(context);
    }

    private MockInstrument mockFor(ExtensionContext context) {
        if (pty) {
            Assumptions.assumeTrue(MockInstrument.socatAvailable(),
                    "MockInstrumentExtension.pty() needs socat (apt-get install -y socat)");
        }
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(this, k -> new Holder(newMock()), Holder.class).mock;
    }

    private MockInstrument newMock() {
        MockDevice d = device;
        if (d == null && deviceFile != null) {
            synchronized (this) {
                if (device == null) {
                    device = MockDevice.load(deviceFile);
                }
                d = device;
            }
        }
        MockInstrument m = pty ? MockInstrument.pty() : MockInstrument.tcp();
        try {
            if (d != null) {
                m.device(d);
            }
            for (Consumer<MockInstrument> step : setup) {
                step.accept(m);
            }
            return m;
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
    }

    @Override
    public String toString() {
        return "MockInstrumentExtension[" + (pty ? "pty" : "tcp") + (device != null ? ", " + device.name()
                : deviceFile != null ? ", " + deviceFile : "") + "]";
    }

    /** The test's mock in the test's store, closed with it if {@link #afterEach} did not. */
    private static final class Holder implements ExtensionContext.Store.CloseableResource {
        final MockInstrument mock;

        Holder(MockInstrument mock) {
            this.mock = mock;
        }

        @Override
        public void close() {
            mock.close();
        }
    }
}
