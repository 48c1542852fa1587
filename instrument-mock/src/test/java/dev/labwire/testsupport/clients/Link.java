package dev.labwire.testsupport.clients;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.LinkDownException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.mock.MockInstrument;

/** The link a {@link ClientContract} runs over: where its {@link MockInstrument} listens, and what differs by link. */
public enum Link {
    /** Loopback TCP. */
    TCP {
        @Override
        MockInstrument newMock() {
            return MockInstrument.tcp();
        }

        @Override
        Class<? extends Exception> halfSentReplyError() {
            return RemoteProtocolException.class; // the mock closes cleanly mid-reply: end-of-stream inside a frame
        }

        @Override
        void reviveAfterLinkKilled(MockInstrument mock) {
            // the mock keeps listening after it closes a connection
        }
    },
    /** A real serial port: a socat pty pair, the client's end opened by jSerialComm. */
    SERIAL {
        @Override
        MockInstrument newMock() {
            assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
            return MockInstrument.pty();
        }

        @Override
        Class<? extends Exception> halfSentReplyError() {
            return LinkDownException.class; // the pair is destroyed, the port read fails and the link is down
        }

        @Override
        void reviveAfterLinkKilled(MockInstrument mock) {
            mock.restart(); // a pty pair killed mid-reply is gone until it is made again
        }
    };

    /** A started mock on this link (a test is skipped when the link cannot be made here). */
    abstract MockInstrument newMock();

    /** What a reply cut off by the mock dropping the link fails with on this link. */
    abstract Class<? extends Exception> halfSentReplyError();

    /** Brings the mock back after a fault that killed its link. */
    abstract void reviveAfterLinkKilled(MockInstrument mock);
}
