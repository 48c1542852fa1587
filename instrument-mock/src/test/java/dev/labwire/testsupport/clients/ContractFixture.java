package dev.labwire.testsupport.clients;

import dev.labwire.mock.MockInstrument;

/** What a test interface of link-specific cases needs from its {@link ClientContract}. */
public interface ContractFixture {
    /** The client under test. */
    Clients clients();

    /** The mock instrument of the running test. */
    MockInstrument mock();

    /** Closed after the test. */
    <T extends AutoCloseable> T track(T closeable);
}
