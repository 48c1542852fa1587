package dev.labwire.blocking;

import dev.labwire.testsupport.clients.Link;
import dev.labwire.testsupport.clients.SerialLinkScenarios;

/** The client contract over a real serial port: a socat pty pair, the client's end opened by jSerialComm. */
class BlockingClientSerialTest extends BlockingClientContract implements SerialLinkScenarios {
    BlockingClientSerialTest() {
        super(Link.SERIAL);
    }
}
