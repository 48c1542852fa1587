package dev.labwire.testsupport.clients;

/**
 * The base of the shared scenarios: a JUnit 5 test class written once, run by a thin subclass in each client module
 * that passes its {@link Clients} (so both clients are held to the same cases, byte for byte).
 */
public abstract class ClientScenarios {
    private final Clients clients;

    protected ClientScenarios(Clients clients) {
        this.clients = clients;
    }

    /** The client under test. */
    public final Clients clients() {
        return clients;
    }
}
